#!/usr/bin/env bash
# The deploy stages' steps, run by AzureCLI@2 with the environment's deploy service connection
# (workload identity federation, addSpnToEnvironment: true), from the synthesized cdktf.out the
# Validate stage published (nothing is synthesized again). The image digests come from the
# Build stage as TF_VAR_<image>_image_digest; the other deploy-time inputs as TF_VAR_* from the
# environment's variable group.
#
#   deploy-stacks.sh verify <env>             notation verify of every digest against the platform's signing certificate
#   deploy-stacks.sh plan <env> <plan dir>    terraform plan -out of iot-<env>, iot-<env>-workloads and (when synthesized) iot-<env>-data, shown in the log and written as text
#   deploy-stacks.sh apply-plan <env> <plan dir> [platform|workloads|data]   terraform apply of exactly those saved plans, or of one (in the deployment job, after the environment's checks)
#   deploy-stacks.sh smoke <env>              scripts/azure/smoke.ts through API Management against the deployed dashboard
#
# Terraform authenticates with the service connection's federated token (ARM_USE_OIDC,
# ARM_OIDC_TOKEN from the task's idToken), the backend too; kubelogin reuses the task's az login,
# and so does the databricks provider of iot-<env>-data (DATABRICKS_AUTH_TYPE=azure-cli: its Go
# SDK does not read ARM_OIDC_TOKEN, and its own azure-devops-oidc type exchanges the token with a
# Databricks federation policy on the pipeline, not the service connection's Entra identity).
# Order: the platform first (the workloads and data stacks read its outputs through
# terraform_remote_state), then the workloads, then the data stack (the lakehouse job reads the
# topics the workloads write).
# Exit 2 on bad usage or a missing digest, 3 when a plan would replace the deploy identity's own
# privileged role assignments (the operator applies those).
set -euo pipefail
cmd="${1:-}" env="${2:-}"
[[ "$env" =~ ^[a-z][a-z0-9]{1,5}$ ]] || { echo "usage: deploy-stacks.sh verify|plan|apply-plan|smoke <env> [...]" >&2; exit 2; }
out="${CDKTF_OUT:-cdktf.out}/stacks"
stacks=("iot-$env" "iot-$env-workloads")
# The data stack exists only for an environment with dataScience (stacks/app.ts).
[[ -d "$out/iot-$env-data" ]] && stacks+=("iot-$env-data")

# shellcheck source=pipeline-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/pipeline-env.sh"
lower_case_tf_vars
require_image_digests deploy-stacks

# Set by AzureCLI@2 with addSpnToEnvironment: true; no secret exists.
export ARM_USE_OIDC=true ARM_USE_AZUREAD=true
export ARM_CLIENT_ID="${servicePrincipalId:?run in AzureCLI@2 with addSpnToEnvironment: true}"
export ARM_TENANT_ID="${tenantId:?}" ARM_OIDC_TOKEN="${idToken:?}"
export ARM_SUBSCRIPTION_ID="${ARM_SUBSCRIPTION_ID:-$(az account show --query id -o tsv)}"
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
# The databricks provider: an Entra token for the workspace from the task's az login.
export DATABRICKS_AUTH_TYPE=azure-cli

tf() { terraform -chdir="$out/$1" "${@:2}"; }
init() { tf "$1" init -input=false -lockfile=readonly 2>/dev/null || tf "$1" init -input=false; }

case "$cmd" in
  verify)
    vault="$(init "iot-$env" >/dev/null && tf "iot-$env" output -raw key_vault_uri | sed -E 's#https://([^.]+)\..*#\1#')"
    cert="$(tf "iot-$env" output -raw image_signing_certificate_name)"
    login="$(tf "iot-$env" output -raw acr_login_server)"
    dir="$(mktemp -d)"
    az keyvault certificate download --vault-name "$vault" --name "$cert" --encoding PEM --file "$dir/signing.pem"
    subject="$(openssl x509 -in "$dir/signing.pem" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')"
    notation cert add --type ca --store "iot-$env" "$dir/signing.pem"
    cat > "$dir/trustpolicy.json" <<JSON
{"version":"1.0","trustPolicies":[{"name":"iot-$env","registryScopes":[$(printf '"%s",' "${images[@]/#/$login/iot/}" | sed 's/,$//')],"signatureVerification":{"level":"strict"},"trustStores":["ca:iot-$env"],"trustedIdentities":["x509.subject: $subject"]}]}
JSON
    notation policy import --force "$dir/trustpolicy.json"
    az acr login --name "${login%%.*}" --expose-token --query accessToken -o tsv |
      notation login "$login" --username 00000000-0000-0000-0000-000000000000 --password-stdin
    for image in "${images[@]}"; do
      v="TF_VAR_${image//-/_}_image_digest"
      notation verify "$login/iot/$image@${!v}"
    done ;;
  plan)
    mkdir -p "${3:?plan dir}"
    dir="$(cd "$3" && pwd)" # terraform -chdir: the plan files' paths must be absolute
    for s in "${stacks[@]}"; do
      init "$s"
      tf "$s" plan -input=false -out="$dir/$s.tfplan"
      tf "$s" show -no-color "$dir/$s.tfplan" | tee "$dir/$s.plan.txt"
      # The deploy identity cannot recreate its own Contributor or (constrained) RBAC
      # Administrator assignment: a plan that replaces or deletes one is the operator's to apply
      # (ADR 0022); stop here, before the approval, not half-way through an apply.
      own="$(tf "$s" show -json "$dir/$s.tfplan" | jq -r '[.resource_changes[]? | select(.address | test("^azurerm_role_assignment\\.Deploy(RbacAdmin|Contributor)-")) | select(.change.actions | index("delete")) | .address] | join(" ")')"
      if [ -n "$own" ]; then
        echo "deploy-stacks: $s would replace the deploy identity's own role assignments ($own): an operator (Owner) applies this change with npx cdktf deploy $s" >&2
        exit 3
      fi
      cp "$out/$s/.terraform.lock.hcl" "$dir/$s.terraform.lock.hcl"
    done ;;
  apply-plan)
    # absolute or relative (the pipeline passes $(Pipeline.Workspace)/plan-<env>, absolute)
    dir="$(cd "${3:?plan dir}" && pwd)"
    # optionally one stack (platform, workloads or data): the pipeline applies each in its own
    # task, so each starts with a fresh federated token (a long platform apply cannot expire the
    # token the data stack's az login needs); a stack that was not synthesized is skipped
    if [ -n "${4:-}" ]; then
      case "$4" in
        platform) only="iot-$env" ;;
        workloads | data) only="iot-$env-$4" ;;
        *) echo "deploy-stacks: apply-plan's stack is platform, workloads or data, not '$4'" >&2; exit 2 ;;
      esac
      [[ " ${stacks[*]} " == *" $only "* ]] || { echo "deploy-stacks: $only was not synthesized; nothing to apply"; exit 0; }
      stacks=("$only")
    fi
    for s in "${stacks[@]}"; do
      cp "$dir/$s.terraform.lock.hcl" "$out/$s/.terraform.lock.hcl"
      tf "$s" init -input=false -lockfile=readonly
      tf "$s" apply -input=false "$dir/$s.tfplan"
    done ;;
  smoke)
    init "iot-$env" >/dev/null
    gateway="$(tf "iot-$env" output -raw ingest_gateway_url)"
    dashboard="$(tf "iot-$env" output -raw dashboard_hostname)"
    # APIM_SUBSCRIPTION_KEY is a secret variable of the environment's variable group; the
    # dashboard's Entra sign-in takes an access token for its app registration.
    DASHBOARD_BEARER_TOKEN="$(az account get-access-token --resource "${TF_VAR_web_signin_client_id:?}" --query accessToken -o tsv)" \
      npx tsx scripts/azure/smoke.ts --ingest-url "$gateway/telemetry" \
      --dashboard-url "https://$dashboard" --timeout "${SMOKE_TIMEOUT_SECONDS:-300}" ;;
  *)
    echo "usage: deploy-stacks.sh verify|plan|apply-plan|smoke <env> [...]" >&2; exit 2 ;;
esac
