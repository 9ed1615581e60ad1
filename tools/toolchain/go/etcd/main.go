// Command etcd is upstream etcd's server entry point, built from the Go
// module proxy (Debian's etcd 3.4 lacks the watch progress the 1.36 clients need).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
