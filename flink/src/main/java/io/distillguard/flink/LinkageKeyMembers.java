package io.distillguard.flink;

import io.distillguard.linkage.Filing;
import io.distillguard.linkage.FilingAnswer;
import io.distillguard.linkage.KeyMembers;
import io.distillguard.linkage.LinkageConfig;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Linkage's stage keyed by linkage key, the second of three: it keeps each key's members ({@link KeyMembers}: how
 * many accounts were filed under it, the few most recent, a uniform sample, by account id) and answers each filing
 * with the members the account is to be compared with, the candidate edges of the key, and, for the keys the
 * profiles' stage mirrors, what the filing changed in the key's bucket (now and then the whole bucket:
 * {@link io.distillguard.linkage.FilingAnswer}). Keys are the bulk of linkage's key index; here they spread over the
 * job's parallelism.
 *
 * <p>State per key: its members (about 100 bytes with ids of a dozen characters), kept for good, as the engine's
 * index keeps them.
 */
public final class LinkageKeyMembers extends KeyedProcessFunction<Long, Filing, FilingAnswer> {
  private static final long serialVersionUID = 1L;
  private transient ValueState<KeyMembers> state;
  private transient LinkageConfig config;

  @Override
  public void open(OpenContext context) {
    state = getRuntimeContext().getState(new ValueStateDescriptor<>("linkage-key-members",
        LinkageStateSerializers.KeyMembersSerializer.INSTANCE));
    config = LinkageConfig.defaults();
  }

  @Override
  public void processElement(Filing f, Context ctx, Collector<FilingAnswer> out) throws Exception {
    KeyMembers members = state.value();
    if (members == null) {
      members = new KeyMembers(config);
    }
    FilingAnswer answer = members.file(f);
    state.update(members);
    out.collect(answer);
  }
}
