// Command k8s-reference answers questions about Kubernetes objects with Kubernetes' own code,
// so that keel's policies can be checked against it in test-real:
//   - pods: Pod Security admission (k8s.io/pod-security-admission) at a level and version;
//   - rbac: whether RBAC rules grant a request (k8s.io/component-helpers' rule comparison,
//     the same matching as the API server's authorizer).
//
// It reads one JSON document on stdin and writes one on stdout.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/component-helpers/auth/rbac/validation"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

type podQuestion struct {
	ID       string            `json:"id"`
	Level    string            `json:"level"`
	Version  string            `json:"version"`
	Metadata metav1.ObjectMeta `json:"metadata"`
	Spec     corev1.PodSpec    `json:"spec"`
}

type podAnswer struct {
	ID      string   `json:"id"`
	Allowed bool     `json:"allowed"`
	Reasons []string `json:"reasons"`
}

type rbacQuestion struct {
	ID      string              `json:"id"`
	Rules   []rbacv1.PolicyRule `json:"rules"`
	Request rbacv1.PolicyRule   `json:"request"`
}

type rbacAnswer struct {
	ID      string `json:"id"`
	Allowed bool   `json:"allowed"`
}

type questions struct {
	Pods []podQuestion  `json:"pods"`
	RBAC []rbacQuestion `json:"rbac"`
}

type answers struct {
	Pods []podAnswer  `json:"pods"`
	RBAC []rbacAnswer `json:"rbac"`
}

func main() {
	var q questions
	decoder := json.NewDecoder(os.Stdin)
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&q); err != nil {
		fmt.Fprintln(os.Stderr, "k8s-reference: reading the questions:", err)
		os.Exit(2)
	}
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "k8s-reference:", err)
		os.Exit(2)
	}
	out := answers{Pods: []podAnswer{}, RBAC: []rbacAnswer{}}
	for _, p := range q.Pods {
		level, err := api.ParseLevel(p.Level)
		if err != nil {
			fmt.Fprintf(os.Stderr, "k8s-reference: %s: %v\n", p.ID, err)
			os.Exit(2)
		}
		version, err := api.ParseVersion(p.Version)
		if err != nil {
			fmt.Fprintf(os.Stderr, "k8s-reference: %s: %v\n", p.ID, err)
			os.Exit(2)
		}
		meta, spec := p.Metadata, p.Spec
		result := policy.AggregateCheckResults(evaluator.EvaluatePod(api.LevelVersion{Level: level, Version: version}, &meta, &spec))
		reasons := []string{}
		for i, reason := range result.ForbiddenReasons {
			if i < len(result.ForbiddenDetails) && result.ForbiddenDetails[i] != "" {
				reason += " (" + result.ForbiddenDetails[i] + ")"
			}
			reasons = append(reasons, reason)
		}
		out.Pods = append(out.Pods, podAnswer{ID: p.ID, Allowed: result.Allowed, Reasons: reasons})
	}
	for _, r := range q.RBAC {
		covered, _ := validation.Covers(r.Rules, []rbacv1.PolicyRule{r.Request})
		out.RBAC = append(out.RBAC, rbacAnswer{ID: r.ID, Allowed: covered})
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "k8s-reference: writing the answers:", err)
		os.Exit(2)
	}
}
