package io.distillguard.provenance.student;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Word ids; 0 and 1 are the sentence start and end markers. */
public final class Vocabulary {
  private final List<String> words = new ArrayList<>(List.of("<s>", "</s>"));
  private final Map<String, Integer> ids = new HashMap<>();

  public int add(String w) {
    Integer id = ids.get(w);
    if (id == null) {
      id = words.size();
      words.add(w);
      ids.put(w, id);
    }
    return id;
  }

  public Integer id(String w) {
    return ids.get(w);
  }

  public String word(int id) {
    return words.get(id);
  }

  public int size() {
    return words.size();
  }

  List<String> words() {
    return words;
  }
}
