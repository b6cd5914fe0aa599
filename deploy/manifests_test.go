// Package deploy holds jobgraph's container image and Kubernetes manifests;
// its tests check them, as no container engine or cluster runs here.
package deploy

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// documents splits a YAML stream into its documents.
func documents(t *testing.T, path string) [][]byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var docs [][]byte
	for _, doc := range regexp.MustCompile(`(?m)^---$`).Split(string(raw), -1) {
		if strings.TrimSpace(doc) != "" {
			docs = append(docs, []byte(doc))
		}
	}
	return docs
}

// decodeStrict decodes every document of path into the Kubernetes type of
// its kind, refusing unknown fields as the API server's strict field
// validation does.
func decodeStrict(t *testing.T, path string) (deployments []appsv1.Deployment, services []corev1.Service, configMaps []corev1.ConfigMap) {
	t.Helper()
	for i, doc := range documents(t, path) {
		var meta struct{ APIVersion, Kind string }
		if err := yaml.Unmarshal(doc, &meta); err != nil {
			t.Fatalf("%s #%d: %v", path, i, err)
		}
		var err error
		switch meta.APIVersion + " " + meta.Kind {
		case "apps/v1 Deployment":
			var d appsv1.Deployment
			err = yaml.UnmarshalStrict(doc, &d)
			deployments = append(deployments, d)
		case "v1 Service":
			var s corev1.Service
			err = yaml.UnmarshalStrict(doc, &s)
			services = append(services, s)
		case "v1 ConfigMap":
			var c corev1.ConfigMap
			err = yaml.UnmarshalStrict(doc, &c)
			configMaps = append(configMaps, c)
		default:
			t.Fatalf("%s #%d: unexpected %s %s", path, i, meta.APIVersion, meta.Kind)
		}
		if err != nil {
			t.Errorf("%s #%d (%s): %v", path, i, meta.Kind, err)
		}
	}
	return deployments, services, configMaps
}

// gatewayFlags are the JOBGRAPH_* variables jobgraph reads, from its help.
func gatewayFlags(t *testing.T) []string {
	t.Helper()
	cmd := exec.Command("go", "run", "jobgraph", "-h")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("jobgraph -h: %v\n%s", err, out.String())
	}
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^\s+-([a-z0-9-]+)`).FindAllStringSubmatch(out.String(), -1) {
		names = append(names, "JOBGRAPH_"+strings.ToUpper(strings.ReplaceAll(m[1], "-", "_")))
	}
	return names
}

func TestGatewayManifest(t *testing.T) {
	deployments, services, configMaps := decodeStrict(t, "kubernetes/jobgraph.yaml")
	if len(deployments) != 1 || len(services) != 1 || len(configMaps) != 1 {
		t.Fatalf("%d deployments, %d services, %d config maps; want one each", len(deployments), len(services), len(configMaps))
	}
	d := deployments[0]
	if !slices.Equal([]string{d.Spec.Selector.MatchLabels["app.kubernetes.io/name"]}, []string{d.Spec.Template.Labels["app.kubernetes.io/name"]}) ||
		services[0].Spec.Selector["app.kubernetes.io/name"] != d.Spec.Template.Labels["app.kubernetes.io/name"] {
		t.Error("the selectors do not match the pod's labels")
	}
	c := d.Spec.Template.Spec.Containers[0]
	if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" || c.LivenessProbe == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" {
		t.Error("probes are not on /readyz and /healthz")
	}
	if len(c.Ports) != 1 || c.Ports[0].ContainerPort != 8080 {
		t.Errorf("container ports %+v, want 8080 as the image listens", c.Ports)
	}
	if _, ok := c.Resources.Requests[corev1.ResourceCPU]; !ok {
		t.Error("no CPU request")
	}
	if _, ok := c.Resources.Requests[corev1.ResourceMemory]; !ok {
		t.Error("no memory request")
	}
	if sc := d.Spec.Template.Spec.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		t.Error("the pod may run as root")
	}
	flags := gatewayFlags(t)
	for key := range configMaps[0].Data {
		if !slices.Contains(flags, key) {
			t.Errorf("the config map sets %s, which jobgraph does not read (it reads %v)", key, flags)
		}
	}
}

func TestRedisManifest(t *testing.T) {
	deployments, services, _ := decodeStrict(t, "kubernetes/redis.yaml")
	if len(deployments) != 1 || len(services) != 1 || services[0].Spec.Ports[0].Port != 6379 {
		t.Fatalf("want one Redis deployment and its service on 6379")
	}
}

// TestDockerfile parses the Dockerfile with BuildKit's own parser, as
// docker build would, and checks the image against what the manifests ask
// of it: a build stage, a static binary, a distroless base as the final
// stage, a non-root user, and the port the probes reach.
func TestDockerfile(t *testing.T) {
	f, err := os.Open("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	parsed, err := parser.Parse(f)
	if err != nil {
		t.Fatalf("the Dockerfile does not parse: %v", err)
	}
	for _, w := range parsed.Warnings {
		t.Errorf("parser warning: %s", w.Short)
	}
	stages, _, err := instructions.Parse(parsed.AST, nil)
	if err != nil {
		t.Fatalf("the Dockerfile's instructions: %v", err)
	}
	if len(stages) != 2 || stages[0].Name != "build" {
		t.Fatalf("%d stages, first named %q; want a build stage and the image", len(stages), stages[0].Name)
	}
	build, image := stages[0], stages[1]
	static := false
	for _, c := range build.Commands {
		if run, ok := c.(*instructions.RunCommand); ok && strings.Contains(strings.Join(run.CmdLine, " "), "CGO_ENABLED=0 go build") {
			static = true
		}
	}
	if !static {
		t.Error("the build stage builds no static binary (CGO_ENABLED=0 go build)")
	}
	if image.BaseName != "gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("the image is based on %q, want distroless static, non-root", image.BaseName)
	}
	var user, listen string
	var ports, entrypoint []string
	copied := false
	for _, c := range image.Commands {
		switch c := c.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.ExposeCommand:
			ports = c.Ports
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				if kv.Key == "JOBGRAPH_LISTEN" {
					listen = kv.Value
				}
			}
		case *instructions.EntrypointCommand:
			entrypoint = c.CmdLine
		case *instructions.CopyCommand:
			copied = copied || c.From == "build"
		}
	}
	if user == "" || strings.HasPrefix(user, "root") || strings.HasPrefix(user, "0") {
		t.Errorf("the image runs as %q, want a non-root user", user)
	}
	if !slices.Equal(ports, []string{"8080"}) || listen != "0.0.0.0:8080" {
		t.Errorf("the image exposes %v and listens on %q, want 8080 as the manifests probe", ports, listen)
	}
	if !copied || !slices.Equal(entrypoint, []string{"/jobgraph"}) {
		t.Errorf("the image copies the binary from the build stage: %t, and runs %v; want /jobgraph", copied, entrypoint)
	}
}
