package planreview

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The part of `terraform show -json` of a saved plan that the review reads
// (the format documented as "JSON Output Format", format_version 1.x).
// Everything else in the document is ignored, the configuration's constant
// values included: the provider block may hold a token.
type plan struct {
	FormatVersion    string           `json:"format_version"`
	TerraformVersion string           `json:"terraform_version"`
	ResourceChanges  []resourceChange `json:"resource_changes"`
	PriorState       *struct {
		Values *struct {
			RootModule stateModule `json:"root_module"`
		} `json:"values"`
	} `json:"prior_state"`
	Configuration *struct {
		RootModule configModule `json:"root_module"`
	} `json:"configuration"`
	// PlannedValues is in every plan document, empty or not: the review
	// only checks that it is there.
	PlannedValues json.RawMessage `json:"planned_values"`
	// Values is set in state JSON (`terraform show -json` of a state),
	// which is the most likely wrong input: it is only read to say so.
	Values json.RawMessage `json:"values"`
}

type resourceChange struct {
	Address       string          `json:"address"`
	ModuleAddress string          `json:"module_address"`
	Mode          string          `json:"mode"`
	Type          string          `json:"type"`
	Name          string          `json:"name"`
	Index         json.RawMessage `json:"index"`
	Change        struct {
		Actions      []string        `json:"actions"`
		Before       json.RawMessage `json:"before"`
		After        json.RawMessage `json:"after"`
		AfterUnknown json.RawMessage `json:"after_unknown"`
	} `json:"change"`
}

type stateModule struct {
	Address   string `json:"address"`
	Resources []struct {
		Address string          `json:"address"`
		Mode    string          `json:"mode"`
		Type    string          `json:"type"`
		Name    string          `json:"name"`
		Index   json.RawMessage `json:"index"`
		Values  json.RawMessage `json:"values"`
	} `json:"resources"`
	ChildModules []stateModule `json:"child_modules"`
}

// configModule is one module of the configuration: its resources'
// expressions say which other resource an unknown value comes from.
type configModule struct {
	Resources []struct {
		Address     string                     `json:"address"`
		Mode        string                     `json:"mode"`
		Expressions map[string]json.RawMessage `json:"expressions"`
	} `json:"resources"`
	ModuleCalls map[string]struct {
		Expressions map[string]json.RawMessage `json:"expressions"`
		Module      *configModule              `json:"module"`
	} `json:"module_calls"`
	Outputs map[string]struct {
		Expression json.RawMessage `json:"expression"`
	} `json:"outputs"`
}

// InputError is a plan document the review cannot read; its message says
// what was expected.
type InputError struct{ msg string }

func (e *InputError) Error() string { return e.msg }

func inputErrorf(format string, args ...any) error {
	return &InputError{msg: fmt.Sprintf(format, args...)}
}

const wantPlan = "give review-plan the JSON of a saved plan: terraform plan -out=tfplan && terraform show -json tfplan > plan.json"

// decodePlan reads and checks a plan document.
func decodePlan(data []byte) (*plan, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, inputErrorf("the plan is empty; %s", wantPlan)
	}
	if bytes.HasPrefix(trimmed, []byte("PK\x03\x04")) {
		return nil, inputErrorf("this is a saved plan file (binary), not its JSON; %s", wantPlan)
	}
	if trimmed[0] != '{' {
		return nil, inputErrorf("the plan is not a JSON object (is it the text output of terraform plan?); %s", wantPlan)
	}
	var p plan
	if err := json.Unmarshal(trimmed, &p); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, inputErrorf("the plan is not in Terraform's JSON plan format: %s holds a %s; %s", typeErr.Field, typeErr.Value, wantPlan)
		}
		return nil, inputErrorf("the plan is not valid JSON: %v; %s", err, wantPlan)
	}
	if p.FormatVersion == "" {
		return nil, inputErrorf("the document has no format_version: it is not the output of terraform show -json; %s", wantPlan)
	}
	if major, _, _ := strings.Cut(p.FormatVersion, "."); major != "1" {
		return nil, inputErrorf("the plan's format_version is %q; review-plan reads format 1.x (Terraform 1.0 and later, OpenTofu)", p.FormatVersion)
	}
	if p.ResourceChanges == nil && p.PlannedValues == nil {
		// terraform show -json without a plan file prints the state:
		// {"format_version":"1.0"} alone in an empty workspace.
		what := "the document is not the JSON of a plan: it has neither planned_values nor resource_changes (terraform show -json without the plan file prints the state)"
		if p.Values != nil {
			what = "this is the JSON of a state, not of a plan"
		}
		return nil, inputErrorf("%s; %s", what, wantPlan)
	}
	return &p, nil
}

// unknowns says which attributes of a planned value Terraform learns only at
// apply (the change's after_unknown).
type unknowns map[string]json.RawMessage

func decodeUnknowns(raw json.RawMessage) unknowns {
	var u unknowns
	if json.Unmarshal(raw, &u) != nil {
		return nil
	}
	return u
}

// whole reports whether the attribute as a whole is unknown.
func (u unknowns) whole(attr string) bool {
	return bytes.Equal(bytes.TrimSpace(u[attr]), []byte("true"))
}

// any reports whether the attribute, or anything nested in it, is unknown.
func (u unknowns) any(attr string) bool {
	return bytes.Contains(u[attr], []byte("true"))
}

// nested returns the unknowns of an object attribute: all of it when the
// attribute as a whole is unknown (every lookup then reports unknown).
func (u unknowns) nested(attr string) unknowns {
	if u.whole(attr) {
		return unknowns{"*": json.RawMessage("true")}
	}
	return decodeUnknowns(u[attr])
}

// anyOf reports whether any of attrs is unknown, or the whole object is.
func (u unknowns) anyOf(attrs ...string) bool {
	if u.whole("*") {
		return true
	}
	for _, a := range attrs {
		if u.any(a) {
			return true
		}
	}
	return false
}

// exists reports whether a change's before or after holds an object (null
// means the object does not exist on that side).
func exists(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && !bytes.Equal(t, []byte("null"))
}

// action names a change as a reviewer says it.
func action(actions []string) string {
	switch strings.Join(actions, ",") {
	case "create":
		return "create"
	case "update":
		return "update"
	case "delete":
		return "delete"
	case "delete,create", "create,delete":
		return "replace"
	case "read":
		return "read"
	default:
		return "no-op"
	}
}
