/**
 * What the cloud-controller-manager may do in the shoot (pure): least privilege for the controllers the Equinix Metal
 * CCM runs — cloud-node and cloud-node-lifecycle (nodes, node status), service (LoadBalancer services and their status,
 * writing MetalLB's ConfigMap), events, leader election in kube-system, and delegated authentication/authorization of
 * its secure port — instead of the upstream chart's binding to cluster-admin.
 */
import type { KubeObject } from "../../k8s/api/objects.ts";
import { DELETE_ON_INVALID_UPDATE } from "../genericcontrolplane/mod.ts";
import { METALLB_CONFIG_MAP } from "./metallb.ts";

/** Name of the CCM's ClusterRole/ClusterRoleBinding in the shoot. */
export const CCM_SHOOT_ROLE = "extensions.gardener.cloud:provider-equinix-metal:cloud-controller-manager";

const SUBJECT = [{ kind: "ServiceAccount", name: "cloud-controller-manager", namespace: "kube-system" }];

/** The CCM's RBAC objects in the shoot. */
export function ccmShootRbac(): KubeObject[] {
  return [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: CCM_SHOOT_ROLE },
      rules: [
        { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch", "update", "patch", "delete"] },
        { apiGroups: [""], resources: ["nodes/status"], verbs: ["patch", "update"] },
        { apiGroups: [""], resources: ["services"], verbs: ["get", "list", "watch", "patch", "update"] },
        { apiGroups: [""], resources: ["services/status"], verbs: ["patch", "update"] },
        { apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: ["create", "patch", "update"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      // The Go provider's binding of this name refers to cluster-admin; a roleRef cannot change, so the resource
      // manager replaces the binding.
      metadata: { name: CCM_SHOOT_ROLE, annotations: { [DELETE_ON_INVALID_UPDATE]: "true" } },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: CCM_SHOOT_ROLE },
      subjects: SUBJECT,
    },
    {
      // Token and access reviews for the secure port (the built-in role).
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: `${CCM_SHOOT_ROLE}:auth-delegator` },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
      subjects: SUBJECT,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: CCM_SHOOT_ROLE, namespace: "kube-system" },
      rules: [
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
        {
          apiGroups: ["coordination.k8s.io"],
          resources: ["leases"],
          resourceNames: ["cloud-controller-manager"],
          verbs: ["get", "update"],
        },
        {
          apiGroups: [""],
          resources: ["configmaps"],
          resourceNames: [METALLB_CONFIG_MAP],
          verbs: ["get", "update", "patch"],
        },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: CCM_SHOOT_ROLE, namespace: "kube-system" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: CCM_SHOOT_ROLE },
      subjects: SUBJECT,
    },
    {
      // Reads the client-CA ConfigMap for authenticating scrapes (the built-in role).
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: `${CCM_SHOOT_ROLE}:authentication-reader`, namespace: "kube-system" },
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "Role",
        name: "extension-apiserver-authentication-reader",
      },
      subjects: SUBJECT,
    },
  ] as unknown as KubeObject[];
}
