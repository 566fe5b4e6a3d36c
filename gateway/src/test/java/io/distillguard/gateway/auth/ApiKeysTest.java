package io.distillguard.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ApiKeysTest {

  @Test
  void generatedKeysParseBackToTheirIdAndHash() {
    for (int i = 0; i < 200; i++) {
      ApiKeys.Generated g = ApiKeys.generate();
      assertThat(g.key()).startsWith(ApiKeys.PREFIX + g.keyId() + ".");
      assertThat(g.keyId()).matches("[a-z2-7]{12}");
      assertThat(g.secretHash()).hasSize(32);
      ApiKeys.Presented p = ApiKeys.parse(g.key());
      assertThat(p).isNotNull();
      assertThat(p.keyId()).isEqualTo(g.keyId());
      assertThat(ApiKeys.matches(g.secretHash(), p.secretHash())).isTrue();
    }
  }

  @Test
  void keysAreUniqueAndTheSecretIsNotInTheHash() {
    Set<String> ids = new HashSet<>();
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < 500; i++) {
      ApiKeys.Generated g = ApiKeys.generate();
      assertThat(ids.add(g.keyId())).isTrue();
      assertThat(keys.add(g.key())).isTrue();
    }
  }

  @Test
  void aWrongSecretDoesNotMatch() {
    ApiKeys.Generated g = ApiKeys.generate();
    String tampered = g.key().substring(0, g.key().length() - 1)
        + (g.key().endsWith("A") ? "B" : "A");
    ApiKeys.Presented p = ApiKeys.parse(tampered);
    assertThat(p).isNotNull();
    assertThat(p.keyId()).isEqualTo(g.keyId());
    assertThat(ApiKeys.matches(g.secretHash(), p.secretHash())).isFalse();
  }

  @Test
  void anotherKeysSecretDoesNotMatch() {
    ApiKeys.Generated a = ApiKeys.generate();
    ApiKeys.Generated b = ApiKeys.generate();
    String frankenstein = ApiKeys.PREFIX + a.keyId() + b.key().substring(b.key().indexOf('.'));
    assertThat(ApiKeys.matches(a.secretHash(), ApiKeys.parse(frankenstein).secretHash())).isFalse();
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {
      "sk-dg-",
      "sk-dg-.secret",
      "sk-proj-abcdefghijkl.secret",
      "SK-DG-abcdefghijkl.secret",
      "sk-dg-abcdefghijk.secret",        // 11-character id
      "sk-dg-abcdefghijklm.secret",      // 13-character id
      "sk-dg-abcdefghijkl",              // no secret
      "sk-dg-abcdefghijkl.",             // empty secret
      "sk-dg-abcdefghijklsecret",        // no dot
      "sk-dg-ABCDEFGHIJKL.secret",       // upper case is not base32 here
      "sk-dg-abcdefghijk1.secret",       // 1 is not in the alphabet
      "sk-dg-abcdefghijk8.secret",
      "sk-dg-abcdef.hijkl.secret",
      "sk-dg-abcdefghij\u00e9k.secret",
      " sk-dg-abcdefghijkl.secret",
      "Bearer sk-dg-abcdefghijkl.secret",
  })
  void malformedKeysParseToNull(String key) {
    assertThat(ApiKeys.parse(key)).isNull();
  }

  @Test
  void overlongKeysParseToNull() {
    assertThat(ApiKeys.parse("sk-dg-abcdefghijkl." + "a".repeat(300))).isNull();
    assertThat(ApiKeys.parse("sk-dg-abcdefghijkl." + "a".repeat(200))).isNotNull();
  }

  @Test
  void matchesIsPlainEqualityOfHashes() {
    byte[] a = {1, 2, 3, 4};
    assertThat(ApiKeys.matches(a, new byte[] {1, 2, 3, 4})).isTrue();
    assertThat(ApiKeys.matches(a, new byte[] {1, 2, 3, 5})).isFalse();
    assertThat(ApiKeys.matches(a, new byte[] {1, 2, 3})).isFalse();
    assertThat(ApiKeys.matches(a, new byte[0])).isFalse();
  }
}
