module safe-deploy.local/toolchain/gateway-api

go 1.26.0

// Not built: this module only pins (with go.sum) the zip that ensure.sh
// copies the standard-channel CRDs out of. Do not `go mod tidy` it: no
// package imports gateway-api, so tidy would drop the requirement.
require sigs.k8s.io/gateway-api v1.4.0
