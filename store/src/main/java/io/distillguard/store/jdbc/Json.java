package io.distillguard.store.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillguard.core.ChatMessage;
import io.distillguard.core.detect.Reason;
import io.distillguard.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The JSON text columns: string maps (attributes, audit details), message lists and alert reasons. */
final class Json {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};
  private static final TypeReference<List<Message>> MESSAGES = new TypeReference<>() {};
  private static final TypeReference<List<StoredReason>> REASONS = new TypeReference<>() {};

  /** The stored shape of a {@link ChatMessage}, declared here so a change to the core record cannot alter it. */
  private record Message(String role, String content) {}

  /** The stored shape of a {@link Reason}, for the same reason. */
  private record StoredReason(String signal, double value, double contribution, String explanation) {}

  private Json() {}

  /** Keys sorted, so equal maps are stored as equal text. */
  static String writeMap(Map<String, String> map) {
    return write(new TreeMap<>(map));
  }

  static Map<String, String> readMap(String json) {
    if (json == null || json.isEmpty()) {
      return Map.of();
    }
    try {
      return MAPPER.readValue(json, STRING_MAP);
    } catch (JsonProcessingException e) {
      throw new StoreException("stored JSON object is malformed", e);
    }
  }

  static String writeMessages(List<ChatMessage> messages) {
    List<Message> stored = new ArrayList<>(messages.size());
    for (ChatMessage m : messages) {
      stored.add(new Message(m.role(), m.content()));
    }
    return write(stored);
  }

  static List<ChatMessage> readMessages(String json) {
    if (json == null || json.isEmpty()) {
      return List.of();
    }
    try {
      List<Message> stored = MAPPER.readValue(json, MESSAGES);
      List<ChatMessage> messages = new ArrayList<>(stored.size());
      for (Message m : stored) {
        messages.add(new ChatMessage(m.role(), m.content()));
      }
      return messages;
    } catch (JsonProcessingException e) {
      throw new StoreException("stored JSON message list is malformed", e);
    }
  }

  static String writeReasons(List<Reason> reasons) {
    List<StoredReason> stored = new ArrayList<>(reasons.size());
    for (Reason r : reasons) {
      stored.add(new StoredReason(r.signal(), r.value(), r.contribution(), r.explanation()));
    }
    return write(stored);
  }

  static List<Reason> readReasons(String json) {
    if (json == null || json.isEmpty()) {
      return List.of();
    }
    try {
      List<Reason> reasons = new ArrayList<>();
      for (StoredReason r : MAPPER.readValue(json, REASONS)) {
        reasons.add(new Reason(r.signal(), r.value(), r.contribution(), r.explanation()));
      }
      return reasons;
    } catch (JsonProcessingException e) {
      throw new StoreException("stored JSON reason list is malformed", e);
    }
  }

  private static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      // Maps of strings and lists of string pairs always serialize; this would be a Jackson bug.
      throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
    }
  }
}
