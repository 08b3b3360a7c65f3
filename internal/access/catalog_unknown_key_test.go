package access

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// A key far longer than any catalog key is no typo: it gets a short message
// without a suggestion, instead of an edit-distance search costing seconds
// of CPU per request (found while fuzzing role validation).
func TestUnknownKeyMessageForAHugeKeyIsShortAndSuggestsNothing(t *testing.T) {
	t.Parallel()
	c := DefaultCatalog()
	key := strings.Repeat("campaign.view", 80_000) // a 1 MiB request body's worth
	msg := c.UnknownKeyMessage(key)
	if len(msg) > 200 || strings.Contains(msg, "did you mean") || !strings.Contains(msg, "1040000 characters") {
		t.Errorf("UnknownKeyMessage(<%d characters>) = %q, want a short message giving the length", len(key), msg)
	}
	if msg := c.UnknownKeyMessage(strings.Repeat("x", maxSuggestedKeyLength)); !strings.Contains(msg, "did you mean") {
		t.Errorf("a key of %d characters gets no suggestion: %q", maxSuggestedKeyLength, msg)
	}
}

// Each unknown key costs a suggestion search: one request names a few and
// counts the rest, however many it sends.
func TestValidateRoleNamesAFewUnknownKeysAndCountsTheRest(t *testing.T) {
	t.Parallel()
	keys := []string{"campaign.view"}
	for i := range 5000 {
		keys = append(keys, fmt.Sprintf("campaign.v%04d", i))
	}
	err := DefaultCatalog().ValidateRole(Role{Name: "Many", Permissions: keys})
	var verr *ValidationError
	if !errors.As(err, &verr) || len(verr.Fields) != maxUnknownKeysNamed+1 {
		t.Fatalf("ValidateRole with 5000 unknown keys = %v, want %d field errors", err, maxUnknownKeysNamed+1)
	}
	if last := verr.Fields[maxUnknownKeysNamed]; last.Field != "permissions" || last.Message != "and 4990 more unknown permission keys" {
		t.Errorf("last field error = %+v", last)
	}
}

// BenchmarkUnknownKeyMessage measures the suggestion search for a typo and
// for the longest key that still gets one.
func BenchmarkUnknownKeyMessage(b *testing.B) {
	c := DefaultCatalog()
	for _, key := range []string{"campaign.veiw", strings.Repeat("x", maxSuggestedKeyLength), strings.Repeat("x", 1<<20)} {
		b.Run(fmt.Sprint(len(key)), func(b *testing.B) {
			for b.Loop() {
				_ = c.UnknownKeyMessage(key)
			}
		})
	}
}
