#!/usr/bin/env bash
# e2e: the checks against a real stack on AWS. Prints what it will deploy,
# builds and deploys template.yaml with SAM, runs the e2e checks through the
# cloud runner against the `live` alias (DPCHECK_TARGET=aws), then deletes the
# stack unless KEEP=1.
#
#   STACK   stack name (default dpcheck-e2e)
#   REGION  AWS region (default: AWS_REGION, AWS_DEFAULT_REGION or the CLI's)
#   KEEP=1  leave the stack in place afterwards
#
# Needs the AWS CLI, the SAM CLI with durable-function support, Go, and
# credentials allowed to deploy the stack (CloudFormation, S3 for
# --resolve-s3, Lambda, IAM roles: CAPABILITY_IAM) and to call
# lambda:InvokeFunction, GetDurableExecution and GetDurableExecutionHistory.
set -euo pipefail

cd "$(dirname "$0")/.."
GO=${GO:-go}
STACK=${STACK:-dpcheck-e2e}
REGION=${REGION:-${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region 2>/dev/null || true)}}}

for tool in aws sam "$GO"; do
	command -v "$tool" >/dev/null || { echo "e2e: $tool is not installed" >&2; exit 2; }
done
if [[ -z $REGION ]]; then
	echo "e2e: no region: set REGION or AWS_REGION" >&2
	exit 2
fi
account=$(aws sts get-caller-identity --query Account --output text --region "$REGION") || {
	echo "e2e: no usable AWS credentials (aws sts get-caller-identity failed)" >&2
	exit 2
}

cat <<INFO
e2e: about to deploy to AWS account $account, region $REGION:
  stack      $STACK (template.yaml, created or updated)
  function   MathFunction: the calculator, provided.al2023 bootstrap built from
             ./function/cmd/bootstrap, alias live, DurableConfig
             (ExecutionTimeout 300 s, RetentionPeriodInDays 5)
  IAM        the function's execution role (CAPABILITY_IAM)
  artifacts  an S3 bucket managed by SAM (--resolve-s3)
  afterwards $(if [[ ${KEEP:-} == 1 ]]; then echo "the stack is kept (KEEP=1)"; else echo "sam delete removes the stack (KEEP=1 keeps it)"; fi)
INFO

deployed=
cleanup() {
	if [[ -n $deployed && ${KEEP:-} != 1 ]]; then
		echo "e2e: deleting stack $STACK"
		sam delete --stack-name "$STACK" --region "$REGION" --no-prompts
	fi
}
trap cleanup EXIT

sam build --template-file template.yaml
deployed=1
sam deploy --stack-name "$STACK" --region "$REGION" --capabilities CAPABILITY_IAM --resolve-s3 \
	--no-confirm-changeset --no-fail-on-empty-changeset

fn=$(aws cloudformation describe-stacks --stack-name "$STACK" --region "$REGION" \
	--query "Stacks[0].Outputs[?OutputKey=='MathFunction'].OutputValue" --output text)
if [[ -z $fn || $fn == None ]]; then
	echo "e2e: stack $STACK has no MathFunction output" >&2
	exit 1
fi
echo "e2e: function $fn, invoked as $fn:live"

export DPCHECK_TARGET=aws DPCHECK_QUALIFIER=live AWS_REGION=$REGION
export DPCHECK_FUNCTIONS="calculator=$fn,calculator/*=$fn"

missing=()
status=0
echo "e2e: cloud runner e2e check"
"$GO" test -count=1 -run E2E -v -timeout 30m ./harness/cloud || status=1

if [[ -d specs ]]; then
	echo "e2e: e2e specs"
	"$GO" tool ginkgo -r --label-filter=e2e --skip-package=props --timeout 30m ./specs || status=1
else
	missing+=("the e2e Ginkgo specs (specs/)")
fi

# Only the calculator is deployed, so only its fixtures can run on AWS.
if [[ -d fixtures/calculator ]] && "$GO" run ./harness/cmd/dpcheck conform -h 2>&1 | grep -q -- '--endpoint'; then
	echo "e2e: calculator fixtures on AWS"
	"$GO" run ./harness/cmd/dpcheck conform --endpoint aws fixtures/calculator || status=1
else
	missing+=("the calculator fixtures through dpcheck conform --endpoint aws")
fi

if ((status != 0)); then
	echo "e2e: FAILED" >&2
	exit 1
fi
if ((${#missing[@]} > 0)); then
	printf 'e2e: not available yet: %s\n' "${missing[@]}" >&2
	exit 1
fi
echo "e2e: passed"
