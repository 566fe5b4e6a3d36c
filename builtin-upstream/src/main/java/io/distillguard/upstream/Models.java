package io.distillguard.upstream;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}}. */
final class Models {
  /** The {@code owned_by} of every model: says plainly what answers. */
  static final String OWNER = "distillguard-builtin (stand-in, not a model)";
  private final Settings settings;
  private final long created;

  Models(Settings settings, long created) {
    this.settings = settings;
    this.created = created;
  }

  Reply list() {
    ObjectNode root = Json.MAPPER.createObjectNode().put("object", "list");
    ArrayNode data = root.putArray("data");
    for (String id : settings.models()) {
      data.add(model(id));
    }
    return new Reply.JsonBody(200, root.toString());
  }

  Reply get(String id) {
    if (!settings.servesModel(id)) {
      throw ApiError.modelNotFound(id);
    }
    return new Reply.JsonBody(200, model(id).toString());
  }

  private ObjectNode model(String id) {
    return Json.MAPPER.createObjectNode()
        .put("id", id)
        .put("object", "model")
        .put("created", created)
        .put("owned_by", OWNER);
  }
}
