package io.distillguard.linkage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SubnetsTest {
  @Test
  void ipv4AddressesShareTheirSlash24() {
    assertThat(Subnets.of("203.0.113.7")).isEqualTo(Subnets.of("203.0.113.250")).isNotZero();
    assertThat(Subnets.of("203.0.114.7")).isNotEqualTo(Subnets.of("203.0.113.7"));
    assertThat(Subnets.cidr(Subnets.of("203.0.113.7"))).isEqualTo("203.0.113.0/24");
  }

  @Test
  void ipv6AddressesShareTheirSlash48() {
    long a = Subnets.of("2001:db8:7:1::5");
    assertThat(a).isEqualTo(Subnets.of("2001:db8:7:ffff:1:2:3:4")).isNotZero();
    assertThat(a).isNotEqualTo(Subnets.of("2001:db8:8::1"));
    assertThat(Subnets.cidr(a)).isEqualTo("2001:db8:7::/48");
    assertThat(Subnets.parseCidr("2001:db8:7::/48")).isEqualTo(a);
    assertThat(Subnets.of("::1")).isNotZero();
  }

  @Test
  void anythingButALiteralIsZero() {
    for (String bad : new String[] {null, "", "example.com", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4",
        "1:2:3:4:5:6:7:8:9", "1::2::3", "gggg::1", "::ffff:1.2.3.4", "12345::1", "1.2.3.4/24x"}) {
      assertThat(Subnets.of(bad)).as(String.valueOf(bad)).isZero();
    }
    assertThat(Subnets.parseCidr("203.0.113.0/16")).isZero();
    assertThat(Subnets.parseCidr("203.0.113.0/24")).isEqualTo(Subnets.of("203.0.113.1"));
  }
}
