package io.distillguard.gateway.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TrustedProxiesTest {
  private final TrustedProxies loopback = new TrustedProxies(List.of("127.0.0.0/8", "::1/128"));
  private final TrustedProxies withLb =
      new TrustedProxies(List.of("127.0.0.0/8", "::1/128", "10.0.0.0/8", "192.168.1.7"));

  @Test
  void noHeaderMeansThePeer() {
    assertThat(loopback.clientAddress("127.0.0.1", null)).isEqualTo("127.0.0.1");
    assertThat(loopback.clientAddress("203.0.113.9", null)).isEqualTo("203.0.113.9");
  }

  @Test
  void anUntrustedPeerCannotClaimAnotherAddress() {
    assertThat(loopback.clientAddress("203.0.113.9", "198.51.100.1")).isEqualTo("203.0.113.9");
    assertThat(withLb.clientAddress("192.168.1.8", "198.51.100.1")).isEqualTo("192.168.1.8");
  }

  @Test
  void aTrustedPeerIsBelieved() {
    assertThat(loopback.clientAddress("127.0.0.1", "198.51.100.1")).isEqualTo("198.51.100.1");
    assertThat(loopback.clientAddress("127.0.0.2", " 198.51.100.1 ")).isEqualTo("198.51.100.1");
    assertThat(withLb.clientAddress("192.168.1.7", "198.51.100.1")).isEqualTo("198.51.100.1");
  }

  @Test
  void chainsAreWalkedFromTheRightToTheFirstUntrustedHop() {
    // client, then two of our own proxies
    assertThat(withLb.clientAddress("127.0.0.1", "198.51.100.1, 10.1.2.3, 10.9.9.9")).isEqualTo("198.51.100.1");
    // whatever the client prepended itself is not believed
    assertThat(withLb.clientAddress("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.1.2.3"))
        .isEqualTo("198.51.100.1");
    assertThat(loopback.clientAddress("127.0.0.1", "6.6.6.6,198.51.100.1")).isEqualTo("198.51.100.1");
  }

  @Test
  void aChainOfOnlyTrustedHopsYieldsTheLeftmost() {
    assertThat(withLb.clientAddress("127.0.0.1", "10.0.0.5, 10.0.0.6")).isEqualTo("10.0.0.5");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "garbage                          | 127.0.0.1",
      "''                               | 127.0.0.1",
      "' , '                            | 127.0.0.1",
      "example.com                      | 127.0.0.1",
      "198.51.100.1:4711                | 127.0.0.1",
      "unknown, 198.51.100.1            | 198.51.100.1",
      "198.51.100.1, garbage            | 127.0.0.1",
      "198.51.100.1, ,10.0.0.1          | 10.0.0.1",
      "999.1.1.1                        | 127.0.0.1",
      "<script>alert(1)</script>        | 127.0.0.1",
  })
  void garbageEndsTheWalkWithoutResolvingNames(String header, String expected) {
    String h = header.equals("''") ? "" : header.equals("' , '") ? " , " : header;
    assertThat(withLb.clientAddress("127.0.0.1", h)).isEqualTo(expected);
  }

  @Test
  void ipv6PeersAndHops() {
    assertThat(loopback.clientAddress("::1", "2001:db8::7")).isEqualTo("2001:db8::7");
    assertThat(loopback.clientAddress("0:0:0:0:0:0:0:1", "2001:DB8:0:0:0:0:0:7")).isEqualTo("2001:db8::7");
    assertThat(loopback.clientAddress("2001:db8::1", "198.51.100.1")).isEqualTo("2001:db8::1");
    TrustedProxies v6 = new TrustedProxies(List.of("2001:db8::/32"));
    assertThat(v6.clientAddress("2001:db8:ffff::1", "198.51.100.1")).isEqualTo("198.51.100.1");
    assertThat(v6.clientAddress("2001:db9::1", "198.51.100.1")).isEqualTo("2001:db9::1");
    assertThat(v6.clientAddress("127.0.0.1", "198.51.100.1")).isEqualTo("127.0.0.1");
  }

  @Test
  void ipv4MappedPeersCountAsIpv4() {
    assertThat(loopback.clientAddress("::ffff:127.0.0.1", "198.51.100.1")).isEqualTo("198.51.100.1");
    assertThat(loopback.clientAddress("::ffff:203.0.113.9", "198.51.100.1")).isNotEqualTo("198.51.100.1");
  }

  @Test
  void prefixesAreMatchedBitwise() {
    TrustedProxies p = new TrustedProxies(List.of("172.16.0.0/12"));
    assertThat(p.clientAddress("172.31.255.255", "1.2.3.4")).isEqualTo("1.2.3.4");
    assertThat(p.clientAddress("172.32.0.0", "1.2.3.4")).isEqualTo("172.32.0.0");
    assertThat(p.clientAddress("172.15.255.255", "1.2.3.4")).isEqualTo("172.15.255.255");
    TrustedProxies everyone = new TrustedProxies(List.of("0.0.0.0/0"));
    assertThat(everyone.clientAddress("8.8.8.8", "1.2.3.4")).isEqualTo("1.2.3.4");
    TrustedProxies hostBits = new TrustedProxies(List.of("10.1.2.3/8"));
    assertThat(hostBits.clientAddress("10.200.0.1", "1.2.3.4")).isEqualTo("1.2.3.4");
  }

  @Test
  void nobodyIsTrustedWithAnEmptyList() {
    assertThat(new TrustedProxies(List.of()).clientAddress("127.0.0.1", "1.2.3.4")).isEqualTo("127.0.0.1");
  }

  @Test
  void cidrsParse() {
    assertThat(TrustedProxies.parseCidr("10.0.0.0/8").prefix()).isEqualTo(8);
    assertThat(TrustedProxies.parseCidr("192.168.1.7").prefix()).isEqualTo(32);
    assertThat(TrustedProxies.parseCidr("::1").prefix()).isEqualTo(128);
    assertThat(TrustedProxies.parseCidr(" fd00::/8 ").prefix()).isEqualTo(8);
    assertThat(TrustedProxies.parseCidr("0.0.0.0/0").prefix()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "nonsense", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/x", "10.0.0.0/", "::1/129",
      "10.0.0/8", "localhost", "256.0.0.0/8", "10.0.0.0/8/8"})
  void badCidrsAreRefusedWithTheirText(String text) {
    assertThatThrownBy(() -> TrustedProxies.parseCidr(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'");
  }

  @Test
  void nullCidrIsRefused() {
    assertThatThrownBy(() -> TrustedProxies.parseCidr(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TrustedProxies(List.of("10.0.0.0/8", "bad")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad");
  }
}
