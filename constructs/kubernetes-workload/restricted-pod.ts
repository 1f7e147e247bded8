/**
 * The Pod Security Standard "restricted" profile as the kubernetes provider's blocks, shared by
 * every pod the library creates (deployments, jobs, helper pods), so that one definition is what
 * the namespace's admission policy checks against.
 */

/** Container security context meeting "restricted": non-root, read-only root, nothing added. */
export const RESTRICTED_CONTAINER_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { drop: ['ALL'] },
};

/**
 * Pod security context meeting "restricted" for a numeric user (the images' non-root `node`
 * user is 1000), with the runtime's default seccomp profile.
 */
export function restrictedPodSecurityContext(uid = 1000, fsGroup = true) {
  return {
    runAsNonRoot: true,
    runAsUser: String(uid),
    runAsGroup: String(uid),
    ...(fsGroup ? { fsGroup: String(uid) } : {}),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Environment variables as container `env` entries, sorted by name (stable plans). */
export function containerEnv(env: Record<string, string>): { name: string; value: string }[] {
  return Object.entries(env)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => ({ name, value }));
}
