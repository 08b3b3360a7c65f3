package client

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Defaults and bounds of Config.
const (
	DefaultMaxRetries     = 5
	MaxMaxRetries         = 10
	DefaultRequestTimeout = 30 * time.Second
	DefaultRetryWaitMin   = 500 * time.Millisecond
	// DefaultRetryWaitMax caps every wait between attempts, including one a
	// server asks for with Retry-After: a plan must not hang for an hour
	// because a proxy said so.
	DefaultRetryWaitMax = 30 * time.Second
	// DefaultRateLimitedWait bounds how long one request keeps waiting out
	// 429s: long enough for a large apply to share a rate limit, short
	// enough that a server that never lets it in ends the run.
	DefaultRateLimitedWait = 5 * time.Minute
)

// Config configures New. Field errors name the provider attribute that sets
// the field (endpoint, api_token, ...), so the provider can point at it.
type Config struct {
	// Endpoint is the API's base URL, e.g. https://api.engage.example. It
	// must be an absolute http(s) URL without user info, query or fragment.
	Endpoint string
	// Token is the bearer token. It is sent only in the Authorization
	// header and never appears in a log line or an error.
	Token string
	// CACertFile is an optional PEM file of CA certificates to trust instead
	// of the system pool.
	CACertFile string
	// RequestTimeout bounds each attempt; DefaultRequestTimeout when zero.
	RequestTimeout time.Duration
	// MaxRetries bounds the retries after failures (connection errors,
	// 502/503/504); DefaultMaxRetries when zero, at most MaxMaxRetries.
	// 429s do not count: see RateLimitedWait.
	MaxRetries int
	// RateLimitedWait bounds how long one request keeps retrying 429s (as
	// Retry-After says) from its first attempt; DefaultRateLimitedWait when
	// zero.
	RateLimitedWait time.Duration
	// MaxRequestsPerSecond limits the requests this client sends (every
	// attempt counts); zero means no limit.
	MaxRequestsPerSecond float64
	// RetryWaitMin is the base of the exponential backoff;
	// DefaultRetryWaitMin when zero.
	RetryWaitMin time.Duration
	// RetryWaitMax caps every wait, Retry-After included;
	// DefaultRetryWaitMax when zero.
	RetryWaitMax time.Duration
	// AllowLockout sends wire.AllowLockoutHeader with every IP allowlist
	// write: the caller has checked, or chosen, whether the change shuts
	// its own address out, and the server is not to refuse it for that
	// (the provider's lockout_protection = false).
	AllowLockout bool
	// UserAgent is sent with every request; "terraform-provider-engage"
	// when empty.
	UserAgent string
	// Logger receives the client's leveled log lines; nil discards them.
	Logger Logger
	// HTTPClient replaces the client built from CACertFile and
	// RequestTimeout (tests use httptest's). Its Transport is wrapped, not
	// modified.
	HTTPClient *http.Client
}

// ConfigError is a Config field New refuses. Field is spelled as the
// provider attribute that sets it.
type ConfigError struct {
	Field   string
	Message string
}

func (e *ConfigError) Error() string { return e.Field + ": " + e.Message }

// validate checks cfg and fills in defaults. It never quotes the token.
func (cfg *Config) validate() (*url.URL, error) {
	base, err := parseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.Token == "":
		return nil, &ConfigError{Field: "api_token", Message: "must be set when endpoint is set"}
	case strings.ContainsFunc(cfg.Token, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return nil, &ConfigError{Field: "api_token", Message: "must not contain spaces or control characters"}
	case cfg.RequestTimeout < 0:
		return nil, &ConfigError{Field: "request_timeout", Message: "must not be negative"}
	case cfg.MaxRetries < 0 || cfg.MaxRetries > MaxMaxRetries:
		return nil, &ConfigError{Field: "max_retries", Message: fmt.Sprintf("must be from 0 to %d, got %d", MaxMaxRetries, cfg.MaxRetries)}
	case cfg.MaxRequestsPerSecond < 0:
		return nil, &ConfigError{Field: "max_requests_per_second", Message: "must not be negative"}
	case cfg.RetryWaitMin < 0 || cfg.RetryWaitMax < 0:
		return nil, &ConfigError{Field: "retry_wait", Message: "must not be negative"}
	case cfg.RateLimitedWait < 0:
		return nil, &ConfigError{Field: "rate_limited_wait", Message: "must not be negative"}
	}
	if cfg.RateLimitedWait == 0 {
		cfg.RateLimitedWait = DefaultRateLimitedWait
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = DefaultMaxRetries
	}
	if cfg.RetryWaitMin == 0 {
		cfg.RetryWaitMin = DefaultRetryWaitMin
	}
	if cfg.RetryWaitMax == 0 {
		cfg.RetryWaitMax = DefaultRetryWaitMax
	}
	if cfg.RetryWaitMin > cfg.RetryWaitMax {
		cfg.RetryWaitMin = cfg.RetryWaitMax
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "terraform-provider-engage"
	}
	return base, nil
}

func parseEndpoint(raw string) (*url.URL, error) {
	const must = "must be an absolute http(s) URL such as https://api.engage.example"
	if raw == "" {
		return nil, &ConfigError{Field: "endpoint", Message: "must be set"}
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The URL is not quoted: it could hold credentials.
		return nil, &ConfigError{Field: "endpoint", Message: must}
	}
	if u.User != nil {
		return nil, &ConfigError{Field: "endpoint", Message: "must not contain user info; set api_token instead"}
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, &ConfigError{Field: "endpoint", Message: "must not have a query or a fragment"}
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// httpClient is the *http.Client every attempt goes through: the caller's,
// or one with its own pooled transport trusting CACertFile.
func (cfg *Config) httpClient() (*http.Client, error) {
	if cfg.HTTPClient != nil {
		c := *cfg.HTTPClient
		if c.Timeout == 0 {
			c.Timeout = cfg.RequestTimeout
		}
		return &c, nil
	}
	transport, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("http.DefaultTransport is a %T, not an *http.Transport", http.DefaultTransport)
	}
	transport = transport.Clone()
	transport.MaxIdleConnsPerHost = 16 // Terraform runs 10 operations in parallel by default
	if cfg.CACertFile != "" {
		pemBytes, err := os.ReadFile(cfg.CACertFile)
		if err != nil {
			return nil, &ConfigError{Field: "ca_cert_file", Message: "cannot be read: " + err.Error()}
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemBytes) {
			return nil, &ConfigError{Field: "ca_cert_file", Message: "holds no PEM certificate"}
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: transport, Timeout: cfg.RequestTimeout}, nil
}
