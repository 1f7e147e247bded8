# Sourced by the pipeline's scripts (deploy-stacks.sh, promote-images.sh): what they share about
# the environment Azure Pipelines gives them.

# Azure Pipelines hands pipeline and variable-group variables to scripts in upper case
# (TF_VAR_INGEST_IMAGE_DIGEST); the stacks' Terraform variables are lower case, and Terraform
# matches TF_VAR_<name> exactly: add the lower-case name where only the upper-case one is set.
lower_case_tf_vars() {
  local name lower
  for name in $(compgen -e); do
    [[ "$name" =~ ^TF_VAR_[A-Z0-9_]+$ ]] || continue
    lower="TF_VAR_$(tr '[:upper:]' '[:lower:]' <<<"${name#TF_VAR_}")"
    [ -n "${!lower+x}" ] || export "$lower=${!name}"
  done
}

# The images the Build stage builds, signs and records a digest for.
images=(ingest analysis processing web splunk-forwarder)

# Every image's digest from the Build stage, as TF_VAR_<image>_image_digest; exits 2 naming the
# first variable that is not a sha256 digest. $1: the calling script's name, for the message.
require_image_digests() {
  local image v
  for image in "${images[@]}"; do
    v="TF_VAR_${image//-/_}_image_digest"
    [[ "${!v:-}" =~ ^sha256:[a-f0-9]{64}$ ]] || { echo "$1: $v is not a digest: '${!v:-}'" >&2; exit 2; }
  done
}
