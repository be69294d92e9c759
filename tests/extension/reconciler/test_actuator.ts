/** A trivial actuator that records its calls and does what the test tells it to, for the protocol tests. */
import type {
  Actuator,
  ActuatorContext,
  ActuatorOutcome,
  ClusterContext,
} from "../../../src/extension/reconciler/actuator.ts";
import { ExtensionsV1alpha1 } from "../../../src/k8s/api/resources.ts";
import type { Infrastructure } from "../../../src/apis/extensions/v1alpha1.ts";

export type Method = "reconcile" | "delete" | "forceDelete" | "migrate" | "restore";

/** One call with what the actuator saw when it was called. */
export interface Call {
  method: Method;
  generation?: number;
  /** The object as stored in the API server while the actuator ran. */
  stored: Infrastructure;
  cluster: ClusterContext;
}

export type Behaviour = (ctx: ActuatorContext, obj: Infrastructure) => Promise<ActuatorOutcome | void>;

/** Records calls; `next[method]` (one-shot) or `always[method]` decide what a call does. */
export class TestActuator implements Actuator<Infrastructure> {
  readonly calls: Call[] = [];
  readonly next: Partial<Record<Method, Behaviour>> = {};
  readonly always: Partial<Record<Method, Behaviour>> = {};

  private async run(method: Method, obj: Infrastructure, cluster: ClusterContext, ctx: ActuatorContext) {
    const stored = await ctx.client.get<Infrastructure>(ExtensionsV1alpha1.infrastructures, obj.metadata.name!, {
      namespace: obj.metadata.namespace,
    });
    this.calls.push({ method, generation: obj.metadata.generation, stored, cluster });
    const b = this.next[method] ?? this.always[method];
    delete this.next[method];
    return b ? await b(ctx, obj) : undefined;
  }

  methods(): Method[] {
    return this.calls.map((c) => c.method);
  }

  reconcile(obj: Infrastructure, cluster: ClusterContext, ctx: ActuatorContext) {
    return this.run("reconcile", obj, cluster, ctx);
  }
  delete(obj: Infrastructure, cluster: ClusterContext, ctx: ActuatorContext) {
    return this.run("delete", obj, cluster, ctx);
  }
  async forceDelete(obj: Infrastructure, cluster: ClusterContext, ctx: ActuatorContext) {
    await this.run("forceDelete", obj, cluster, ctx);
  }
  async migrate(obj: Infrastructure, cluster: ClusterContext, ctx: ActuatorContext) {
    await this.run("migrate", obj, cluster, ctx);
  }
  restore(obj: Infrastructure, cluster: ClusterContext, ctx: ActuatorContext) {
    return this.run("restore", obj, cluster, ctx);
  }
}
