package main

import (
	"maps"
	"slices"
	"testing"
)

func TestSilenceUnrequestedSDKLogs(t *testing.T) {
	tests := map[string]struct {
		env  map[string]string
		want map[string]string
	}{
		"no logs asked for: SDK and provider logs off": {
			env: map[string]string{"HOME": "/root"},
			want: map[string]string{
				"HOME": "/root", "TF_LOG_PROVIDER": "off",
				"TF_LOG_SDK": "off", "TF_LOG_SDK_PROTO": "off", "TF_LOG_SDK_FRAMEWORK": "off",
			},
		},
		"TF_LOG=trace is left alone": {
			env:  map[string]string{"TF_LOG": "trace"},
			want: map[string]string{"TF_LOG": "trace"},
		},
		"TF_LOG set empty still counts as asked": {
			env:  map[string]string{"TF_LOG": ""},
			want: map[string]string{"TF_LOG": ""},
		},
		"TF_LOG_PROVIDER alone is left alone": {
			env:  map[string]string{"TF_LOG_PROVIDER": "debug"},
			want: map[string]string{"TF_LOG_PROVIDER": "debug"},
		},
		"an SDK level set by hand is kept, and nothing else is changed": {
			env:  map[string]string{"TF_LOG_SDK_PROTO": "trace"},
			want: map[string]string{"TF_LOG_SDK_PROTO": "trace"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			env := maps.Clone(tt.env)
			lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
			set := func(k, v string) error { env[k] = v; return nil }
			silenceUnrequestedSDKLogs(lookup, set)
			if !maps.Equal(env, tt.want) {
				t.Errorf("environment = %v, want %v", sorted(env), sorted(tt.want))
			}
		})
	}
}

func sorted(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}
