package io.distillguard.flink;

import io.distillguard.linkage.Filing;
import io.distillguard.linkage.FilingAnswer;
import io.distillguard.linkage.KeyMembers;
import io.distillguard.linkage.LinkageConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Linkage's stage keyed by linkage key, the second of three: it keeps each key's members ({@link KeyMembers}: how
 * many accounts were filed under it, the few most recent, a uniform sample, by account id) and answers each filing
 * with the members the account is to be compared with, the candidate edges of the key, and, for the keys the
 * profiles' stage reads, the bucket itself ({@link io.distillguard.linkage.FilingAnswer}). Keys are the bulk of
 * linkage's key index; here they spread over the job's parallelism.
 *
 * <p>State per key: its members (about 100 bytes with ids of a dozen characters), kept for good, as the engine's
 * index keeps them.
 */
public final class LinkageKeyMembers extends KeyedProcessFunction<Long, Filing, FilingAnswer> {
  private static final long serialVersionUID = 1L;
  private transient ValueState<byte[]> state;
  private transient LinkageConfig config;

  @Override
  public void open(OpenContext context) {
    state = getRuntimeContext().getState(new ValueStateDescriptor<>("linkage-key-members",
        BytePrimitiveArraySerializer.INSTANCE));
    config = LinkageConfig.defaults();
  }

  @Override
  public void processElement(Filing f, Context ctx, Collector<FilingAnswer> out) throws Exception {
    byte[] bytes = state.value();
    KeyMembers members = bytes == null ? new KeyMembers(config)
        : KeyMembers.read(new DataInputStream(new ByteArrayInputStream(bytes)), config);
    FilingAnswer answer = members.file(f);
    ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
    members.write(new DataOutputStream(buf));
    state.update(buf.toByteArray());
    out.collect(answer);
  }
}
