package io.distillguard.gateway.stages;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Chain;
import io.distillguard.gateway.pipeline.Json;
import io.distillguard.gateway.pipeline.Stage;
import io.distillguard.gateway.upstream.UpstreamExchange;
import io.distillguard.gateway.upstream.UpstreamSettings;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;

/**
 * The last stage: sends the call to the model server and relays the answer (whole, or event by event for streams),
 * applying the call's response transforms on the way.
 *
 * <p>For streams the gateway always asks the upstream for a usage chunk ({@code stream_options.include_usage}), so
 * tokens are metered for every client; the chunk is passed on only to clients that asked for it.
 */
public final class ForwardStage implements Stage {
  private final HttpClient client;
  private final UpstreamSettings settings;
  private final UpstreamSettings.Target target;

  public ForwardStage(HttpClient client, UpstreamSettings settings) {
    this.client = client;
    this.settings = settings;
    this.target = settings.target();
  }

  @Override
  public void process(Call call, Chain chain) {
    new UpstreamExchange(client, settings, target, call, upstreamBody(call)).start();
  }

  static Buffer upstreamBody(Call call) {
    if (call.json == null) {
      return null;
    }
    if (call.stream && !call.clientWantsUsage) {
      ObjectNode copy = call.json.deepCopy();
      ObjectNode options = copy.get("stream_options") instanceof ObjectNode o ? o : copy.putObject("stream_options");
      options.put("include_usage", true); // keeping the client's other stream options
      return Json.write(copy);
    }
    return call.body;
  }
}
