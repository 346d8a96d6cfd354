// kuryr-cniclient: a small CNI runtime for kuryr's tests, so that ADD/CHECK/DEL/GC/STATUS reach a
// CNI plugin the way real runtimes drive it. Config loading and, for cniVersion <= 1.0.0, the
// ADD/CHECK/DEL chaining are Debian's libcni (1.1.2, the version podman 4.3 and containerd 1.6
// on Debian 12 are built with). libcni 1.1.2 predates CNI 1.1: it has no GC/STATUS and cannot
// parse a "1.1.0" result, so for cniVersion 1.1.0 lists (and for gc/status always) this client
// chains the plugins itself per the spec, passing results through as raw JSON.
//
// Build offline (scripts/cniclient.sh does this):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o kuryr-cniclient main.go
//
// usage: kuryr-cniclient add|check|del <network> <netns-path>
//
//	kuryr-cniclient gc|status <network>
//
// env: NETCONFPATH   config dir (default /etc/cni/net.d); the .conflist/.conf whose name matches
//
//	CNI_PATH      plugin dirs, ':'-separated (default /opt/cni/bin:/usr/lib/cni)
//	CNI_IFNAME    (default eth0); CNI_CONTAINERID (default: derived from the netns path)
//	CNI_ARGS      "K=V;K=V"; CAP_ARGS: JSON object of capability args (runtimeConfig)
//	CNI_CACHEDIR  result cache (default /var/lib/cni), same layout as libcni's
//	CNI_VALID_ATTACHMENTS  gc: JSON [{"containerID":..,"ifname":..}] (default: every cached
//	              attachment of this network)
//	KURYR_CNICLIENT_RAW=1  use the raw chaining for every version
//
// Output: the ADD result JSON on stdout; on a plugin error its CNI error JSON on stdout, exit 1.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/types"
)

// versions libcni 1.1.2 can convert results for
var libcniVersions = map[string]bool{"0.1.0": true, "0.2.0": true, "0.3.0": true, "0.3.1": true, "0.4.0": true, "1.0.0": true}

func getenv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func fail(err error) {
	var cniErr *types.Error
	if errors.As(err, &cniErr) {
		out, _ := json.Marshal(cniErr)
		fmt.Println(string(out))
	} else {
		fmt.Fprintln(os.Stderr, "kuryr-cniclient:", err)
	}
	os.Exit(1)
}

func loadList(dir, name string) (*libcni.NetworkConfigList, error) {
	list, err := libcni.LoadConfList(dir, name)
	if err == nil {
		return list, nil
	}
	// a single-plugin .conf file is a list of one
	conf, cerr := libcni.LoadConf(dir, name)
	if cerr != nil {
		return nil, err
	}
	return libcni.ConfListFromConf(conf)
}

type runtime struct {
	cmd, netns, containerID, ifName, cniArgs, cacheDir string
	paths                                              []string
	capArgs                                            map[string]interface{}
	list                                               *libcni.NetworkConfigList
	exec                                               *invoke.RawExec
}

func (r *runtime) cniArgPairs() [][2]string {
	var pairs [][2]string
	for _, kv := range strings.Split(r.cniArgs, ";") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			pairs = append(pairs, [2]string{k, v})
		}
	}
	return pairs
}

// cachePath: where libcni keeps ADD results, so either implementation finds the other's.
func (r *runtime) cachePath() string {
	return filepath.Join(r.cacheDir, "results", fmt.Sprintf("%s-%s-%s", r.list.Name, r.containerID, r.ifName))
}

// ---------------------------------------------------------------- libcni path
func (r *runtime) viaLibcni(ctx context.Context) error {
	cni := libcni.NewCNIConfigWithCacheDir(r.paths, r.cacheDir, nil)
	rt := &libcni.RuntimeConf{ContainerID: r.containerID, NetNS: r.netns, IfName: r.ifName,
		Args: r.cniArgPairs(), CapabilityArgs: r.capArgs}
	switch r.cmd {
	case "add":
		res, err := cni.AddNetworkList(ctx, r.list, rt)
		if err != nil {
			return err
		}
		return res.Print()
	case "check":
		return cni.CheckNetworkList(ctx, r.list, rt)
	default:
		return cni.DelNetworkList(ctx, r.list, rt)
	}
}

// ---------------------------------------------------------------- raw path (CNI 1.1)
func (r *runtime) pluginConf(p *libcni.NetworkConfig, prev json.RawMessage, extra map[string]interface{}) ([]byte, error) {
	conf := map[string]interface{}{}
	if err := json.Unmarshal(p.Bytes, &conf); err != nil {
		return nil, err
	}
	conf["name"] = r.list.Name
	conf["cniVersion"] = r.list.CNIVersion
	if prev != nil {
		conf["prevResult"] = prev
	} else {
		delete(conf, "prevResult")
	}
	// runtimeConfig carries only the capabilities this plugin declares
	rc := map[string]interface{}{}
	for capName, on := range p.Network.Capabilities {
		if v, ok := r.capArgs[capName]; ok && on {
			rc[capName] = v
		}
	}
	if len(rc) > 0 {
		conf["runtimeConfig"] = rc
	}
	for k, v := range extra {
		conf[k] = v
	}
	return json.Marshal(conf)
}

func (r *runtime) run(ctx context.Context, command string, p *libcni.NetworkConfig, stdin []byte, attach bool) ([]byte, error) {
	path, err := r.exec.FindInPath(p.Network.Type, r.paths)
	if err != nil {
		return nil, err
	}
	args := &invoke.Args{Command: command, Path: strings.Join(r.paths, ":")}
	if attach {
		args.ContainerID, args.NetNS, args.IfName, args.PluginArgsStr = r.containerID, r.netns, r.ifName, r.cniArgs
	}
	return r.exec.ExecPlugin(ctx, path, stdin, args.AsEnv())
}

type cacheEntry struct {
	Kind        string          `json:"kind"`
	ContainerID string          `json:"containerId"`
	IfName      string          `json:"ifName"`
	NetworkName string          `json:"networkName"`
	Result      json.RawMessage `json:"result,omitempty"`
}

func (r *runtime) readCache() json.RawMessage {
	data, err := os.ReadFile(r.cachePath())
	if err != nil {
		return nil
	}
	var e cacheEntry
	if json.Unmarshal(data, &e) != nil || len(e.Result) == 0 {
		return nil
	}
	return e.Result
}

func (r *runtime) raw(ctx context.Context) error {
	var prev json.RawMessage
	plugins := r.list.Plugins
	switch r.cmd {
	case "add":
		for _, p := range plugins {
			stdin, err := r.pluginConf(p, prev, nil)
			if err != nil {
				return err
			}
			out, err := r.run(ctx, "ADD", p, stdin, true)
			if err != nil {
				return err
			}
			prev = json.RawMessage(out)
		}
		entry, _ := json.Marshal(cacheEntry{Kind: "cniCacheV1", ContainerID: r.containerID, IfName: r.ifName, NetworkName: r.list.Name, Result: prev})
		if err := os.MkdirAll(filepath.Dir(r.cachePath()), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(r.cachePath(), entry, 0o600); err != nil {
			return err
		}
		fmt.Println(string(prev))
	case "check":
		prev = r.readCache()
		if prev == nil {
			return fmt.Errorf("no cached result for %s: ADD first", r.cachePath())
		}
		for _, p := range plugins {
			stdin, err := r.pluginConf(p, prev, nil)
			if err != nil {
				return err
			}
			if _, err := r.run(ctx, "CHECK", p, stdin, true); err != nil {
				return err
			}
		}
	case "del":
		prev = r.readCache()
		for i := len(plugins) - 1; i >= 0; i-- {
			stdin, err := r.pluginConf(plugins[i], prev, nil)
			if err != nil {
				return err
			}
			if _, err := r.run(ctx, "DEL", plugins[i], stdin, true); err != nil {
				return err
			}
		}
		_ = os.Remove(r.cachePath())
	case "gc":
		valid, err := r.validAttachments()
		if err != nil {
			return err
		}
		var errs []error
		for _, p := range plugins {
			stdin, err := r.pluginConf(p, nil, map[string]interface{}{"cni.dev/valid-attachments": valid})
			if err == nil {
				_, err = r.run(ctx, "GC", p, stdin, false)
			}
			if err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			return errs[0]
		}
	case "status":
		for _, p := range plugins {
			stdin, err := r.pluginConf(p, nil, nil)
			if err != nil {
				return err
			}
			if _, err := r.run(ctx, "STATUS", p, stdin, false); err != nil {
				return err
			}
		}
		fmt.Println(`{"status":"available"}`)
	}
	return nil
}

type attachment struct {
	ContainerID string `json:"containerID"`
	IfName      string `json:"ifname"`
}

func (r *runtime) validAttachments() ([]attachment, error) {
	valid := []attachment{}
	if v := os.Getenv("CNI_VALID_ATTACHMENTS"); v != "" {
		return valid, json.Unmarshal([]byte(v), &valid)
	}
	files, _ := filepath.Glob(filepath.Join(r.cacheDir, "results", r.list.Name+"-*"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var e cacheEntry
		if json.Unmarshal(data, &e) == nil && e.NetworkName == r.list.Name {
			valid = append(valid, attachment{e.ContainerID, e.IfName})
		}
	}
	return valid, nil
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: kuryr-cniclient add|check|del <network> <netns-path> | gc|status <network>")
		os.Exit(2)
	}
	r := &runtime{cmd: os.Args[1], exec: &invoke.RawExec{Stderr: os.Stderr}}
	switch r.cmd {
	case "add", "check", "del":
		if len(os.Args) != 4 {
			fmt.Fprintf(os.Stderr, "kuryr-cniclient %s needs <network> <netns-path>\n", r.cmd)
			os.Exit(2)
		}
		r.netns = os.Args[3]
	case "gc", "status":
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n", r.cmd)
		os.Exit(2)
	}
	var err error
	if r.list, err = loadList(getenv("NETCONFPATH", "/etc/cni/net.d"), os.Args[2]); err != nil {
		fail(err)
	}
	r.paths = filepath.SplitList(getenv("CNI_PATH", "/opt/cni/bin:/usr/lib/cni"))
	r.ifName = getenv("CNI_IFNAME", "eth0")
	r.cniArgs = os.Getenv("CNI_ARGS")
	r.cacheDir = getenv("CNI_CACHEDIR", "/var/lib/cni")
	r.containerID = os.Getenv("CNI_CONTAINERID")
	if r.containerID == "" && r.netns != "" {
		sum := sha256.Sum256([]byte(r.netns))
		r.containerID = fmt.Sprintf("kb%x", sum[:15])
	}
	if c := os.Getenv("CAP_ARGS"); c != "" {
		if err := json.Unmarshal([]byte(c), &r.capArgs); err != nil {
			fail(fmt.Errorf("CAP_ARGS: %w", err))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if (r.cmd == "add" || r.cmd == "check" || r.cmd == "del") && libcniVersions[r.list.CNIVersion] && os.Getenv("KURYR_CNICLIENT_RAW") != "1" {
		err = r.viaLibcni(ctx)
	} else {
		err = r.raw(ctx)
	}
	if err != nil {
		fail(err)
	}
}
