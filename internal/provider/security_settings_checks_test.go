package provider

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

func selfSignedPEM(t testing.TB, notAfter time.Time) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generating a key: %v", err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idp"}, NotBefore: notAfter.AddDate(-1, 0, 0), NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("creating a certificate: %v", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestCertificateChecks(t *testing.T) {
	t.Parallel()
	notAfter := time.Date(2045, 6, 30, 12, 0, 0, 0, time.UTC)
	cert := selfSignedPEM(t, notAfter)
	check := checkCertificatePEM
	cases := map[string]struct {
		value       types.String
		wantMessage string // "" means valid
		wantExpiry  bool
	}{
		"a certificate passes and has an expiry": {value: types.StringValue(cert), wantExpiry: true},
		"garbage is refused with the expected form": {
			value: types.StringValue("garbage"), wantMessage: "must be a PEM-encoded X.509 certificate (-----BEGIN CERTIFICATE-----)",
		},
		"a PEM block of another type is refused": {
			value:       types.StringValue(strings.ReplaceAll(cert, "CERTIFICATE", "PUBLIC KEY")),
			wantMessage: "must be a PEM-encoded X.509 certificate",
		},
		"a chain is refused": {value: types.StringValue(cert + cert), wantMessage: "must hold exactly one certificate"},
		"a corrupt body is refused": {
			value:       types.StringValue("-----BEGIN CERTIFICATE-----\nR0FSQkFHRQ==\n-----END CERTIFICATE-----\n"),
			wantMessage: "is not a valid X.509 certificate",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			msg := check(tc.value.ValueString())
			if tc.wantMessage == "" && msg != "" || !strings.Contains(msg, tc.wantMessage) {
				t.Errorf("check = %q, want %q", msg, tc.wantMessage)
			}
			got, ok := certificateNotAfter(tc.value)
			if ok != tc.wantExpiry || ok && !got.Equal(notAfter) {
				t.Errorf("certificateNotAfter = %v, %v; want %v, %v", got, ok, notAfter, tc.wantExpiry)
			}
		})
	}
	for _, v := range []types.String{types.StringNull(), types.StringUnknown()} {
		if _, ok := certificateNotAfter(v); ok {
			t.Errorf("certificateNotAfter(%v) reported an expiry", v)
		}
	}
}

// FuzzCheckCertificatePEM: any input gets a verdict without a panic, and a
// refusal never quotes what was pasted (a certificate is public, but a
// private key pasted by mistake is not).
func FuzzCheckCertificatePEM(f *testing.F) {
	f.Add(selfSignedPEM(f, time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC)))
	f.Add("-----BEGIN CERTIFICATE-----\nR0FSQkFHRQ==\n-----END CERTIFICATE-----\n")
	f.Add("-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n")
	f.Add("")
	notPEM := checkCertificatePEM("")
	f.Fuzz(func(t *testing.T, s string) {
		msg := checkCertificatePEM(s)
		block, _ := pem.Decode([]byte(s))
		switch {
		case block == nil:
			if msg != notPEM {
				t.Errorf("input without a PEM block: message %q, want %q", msg, notPEM)
			}
		case len(block.Bytes) >= 12:
			if body := base64.StdEncoding.EncodeToString(block.Bytes)[:16]; strings.Contains(msg, body) {
				t.Errorf("message %q quotes the PEM body", msg)
			}
		}
	})
}
