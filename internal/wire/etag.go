package wire

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// ETag is the strong entity tag of version v, quoted as HTTP requires:
// ETag(3) == `"v3"`.
func ETag(v access.Version) string {
	return `"v` + strconv.FormatInt(int64(v), 10) + `"`
}

// ParseETag reads a tag that ETag wrote. Weak tags (W/"v3") are refused:
// If-Match compares strongly, so a weak tag could never match.
func ParseETag(s string) (access.Version, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "W/") {
		return 0, fmt.Errorf("entity tag %s is weak; If-Match needs the strong tag from the ETag header", s)
	}
	inner, ok := strings.CutPrefix(s, `"v`)
	if ok {
		inner, ok = strings.CutSuffix(inner, `"`)
	}
	if !ok || inner == "" {
		return 0, fmt.Errorf(`entity tag %q is not of the form "v<version>" that this API returns in ETag`, s)
	}
	n, err := strconv.ParseInt(inner, 10, 64)
	if err != nil || n < 1 || inner[0] == '+' || inner[0] == '0' {
		return 0, fmt.Errorf(`entity tag %q is not of the form "v<version>" that this API returns in ETag`, s)
	}
	return access.Version(n), nil
}
