/** Finds the resource of an apiVersion/kind through the API server's discovery, as kubectl does (cached). */
import type { KubeClient } from "../k8s/client.ts";
import type { ResourceType } from "../k8s/resources.ts";

interface ApiResourceList {
  resources: Array<{ name: string; kind: string; namespaced: boolean }>;
}

/** apiVersion + kind → ResourceType, from `/api/v1` and `/apis/<group>/<version>`. */
export class ResourceMapper {
  private readonly cache = new Map<string, ApiResourceList>();

  constructor(private readonly client: KubeClient) {}

  /** Forgets cached discovery (after CRDs were installed). */
  reset(): void {
    this.cache.clear();
  }

  /** The resource serving `kind` in `apiVersion`; throws naming both when the server does not serve it. */
  async resolve(apiVersion: string, kind: string): Promise<ResourceType> {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["", apiVersion];
    let list = this.cache.get(apiVersion);
    if (!list) {
      const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
      try {
        list = await this.client.requestJson<ApiResourceList>("GET", path);
      } catch (e) {
        throw new Error(`the API server does not serve ${apiVersion}: ${e instanceof Error ? e.message : String(e)}`);
      }
      this.cache.set(apiVersion, list);
    }
    const r = list.resources.find((x) => x.kind === kind && !x.name.includes("/"));
    if (!r) throw new Error(`the API server serves no kind ${kind} in ${apiVersion}`);
    return { group, version, resource: r.name, kind, namespaced: r.namespaced };
  }
}
