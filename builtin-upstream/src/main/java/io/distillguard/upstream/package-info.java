/**
 * The builtin upstream: a stand-in OpenAI-compatible server for DistillGuard's demos, tests and
 * benchmarks. It is not a model; it answers from canned question/answer pairs ({@link
 * io.distillguard.upstream.Corpus}) and can misbehave on request ({@link
 * io.distillguard.upstream.Fault}). Start one with {@link
 * io.distillguard.upstream.BuiltinUpstream#start(io.distillguard.upstream.BuiltinUpstreamOptions)}.
 */
package io.distillguard.upstream;
