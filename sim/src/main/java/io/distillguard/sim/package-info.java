/**
 * The attacker's side and the referee. {@link io.distillguard.sim.Simulation} merges the requests of benign
 * customers, legitimate heavy users and distillation campaigns ({@link io.distillguard.sim.Actor}s, built from a
 * scenario file and the public datasets) in time order; runners push them through the detection core in-process or
 * through a real gateway over HTTP and hand each {@link io.distillguard.sim.SimResult} back, so actors react as real
 * clients do. The evaluation harness compares what detection did with each account's {@link io.distillguard.sim.Label}.
 */
package io.distillguard.sim;
