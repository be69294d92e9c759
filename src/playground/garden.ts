/**
 * The demo's garden: before a `--shoot` manifest reaches the simulated gardenlet, it is created in a fake garden (the
 * fake API server with our garden CRDs) where the `admission` component is registered, as a user's `kubectl create`
 * would be. A refusal stops the run before anything exists in the seed, worded as kubectl shows it: the webhook, the
 * object, the field and the reason. The objects get the provider labels Gardener's ExtensionLabels admission plugin
 * sets, so the admission's object selectors match them.
 */
import { startAdmission } from "../admission/app.ts";
import { applyWebhookConfiguration, OBJECT_PROVIDER_LABEL, webhookConfiguration } from "../admission/registration.ts";
import { ApiError, isAlreadyExists } from "../k8s/api/errors.ts";
import type { KubeObject } from "../k8s/api/objects.ts";
import { CoreGardenerV1beta1 } from "../k8s/api/resources.ts";
import { KubeClient } from "../k8s/client/client.ts";
import { getLogger } from "../observability/log.ts";
import { startApiServer } from "../sim/apiserver/mod.ts";
import { generateServingCertificates } from "../runtime/certificates.ts";
import { GARDEN_CRD_GROUP, loadCrds } from "./crds.ts";

/** A Shoot manifest and the file it came from. */
export interface ShootInput {
  shoot: KubeObject;
  file: string;
}

/** Refused by the garden's admission. */
export class GardenAdmissionError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: refused by the garden's admission: ${message}`);
    this.name = "GardenAdmissionError";
  }
}

function labelled<T extends KubeObject>(obj: T): T {
  const { resourceVersion: _rv, uid: _uid, ...metadata } = obj.metadata;
  return {
    ...structuredClone(obj),
    metadata: { ...metadata, labels: { ...metadata.labels, [OBJECT_PROVIDER_LABEL]: "true" } },
  };
}

/**
 * Creates `profile` and then every shoot in a fresh fake garden with the admission registered; throws a
 * `GardenAdmissionError` naming the file for the first shoot (or the profile) refused. Everything is stopped after.
 */
export async function admitInGarden(
  profile: { object: KubeObject; file: string },
  shoots: ShootInput[],
): Promise<void> {
  const namespaces = [...new Set(["default", "garden", ...shoots.map((s) => s.shoot.metadata.namespace ?? "garden")])];
  const log = getLogger("playground.garden");
  const garden = await startApiServer({
    namespaces,
    log: log.child("apiserver"),
  });
  let admission: Awaited<ReturnType<typeof startAdmission>> | undefined;
  const client = new KubeClient(garden.connection());
  try {
    await garden.installCrds(loadCrds({ groups: [GARDEN_CRD_GROUP] }));
    const certs = await generateServingCertificates();
    admission = await startAdmission({
      options: {
        webhookClient: { mode: "url", url: "https://127.0.0.1" },
        serverAddress: "127.0.0.1:0",
        certNamespace: "garden",
        registerWebhooks: false,
        probeAddresses: [],
      },
      connection: garden.connection(),
      tls: certs,
      log: log.child("admission"),
    });
    await applyWebhookConfiguration(client, webhookConfiguration({ mode: "url", url: admission.url }, certs.caPem));
    const create = async (obj: KubeObject, file: string, res: typeof CoreGardenerV1beta1.shoots) => {
      try {
        await client.create(res, labelled(obj), { namespace: obj.metadata.namespace });
      } catch (e) {
        if (isAlreadyExists(e)) return; // the same shoot twice: the derivation names both files
        if (e instanceof ApiError) throw new GardenAdmissionError(file, e.message);
        throw e;
      }
    };
    await create(profile.object, profile.file, CoreGardenerV1beta1.cloudProfiles);
    for (const { shoot, file } of shoots) {
      await create(
        { ...shoot, metadata: { ...shoot.metadata, namespace: shoot.metadata.namespace ?? "garden" } },
        file,
        CoreGardenerV1beta1.shoots,
      );
    }
  } finally {
    client.close();
    await admission?.stop();
    await garden.stop();
  }
}
