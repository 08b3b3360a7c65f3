package client

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Logger receives the client's log lines: a message and alternating keys and
// values, as go-retryablehttp's LeveledLogger. The client never passes the
// token, and redacts it from every value anyway.
type Logger interface {
	Error(msg string, keysAndValues ...any)
	Warn(msg string, keysAndValues ...any)
	Info(msg string, keysAndValues ...any)
	Debug(msg string, keysAndValues ...any)
}

// TFLogLogger writes the client's log lines to tflog under the context ctx
// (the provider's Configure context), at the same levels, with the key/value
// pairs as fields. Retries show at TF_LOG=debug.
func TFLogLogger(ctx context.Context) Logger { return tflogLogger{ctx: ctx} }

// tflogLogger keeps the context it was made with: tflog finds its sink
// there, and the client outlives the Configure call that builds it.
type tflogLogger struct{ ctx context.Context }

func (l tflogLogger) Error(msg string, kv ...any) { tflog.Error(l.ctx, msg, fields(kv)) }
func (l tflogLogger) Warn(msg string, kv ...any)  { tflog.Warn(l.ctx, msg, fields(kv)) }
func (l tflogLogger) Info(msg string, kv ...any)  { tflog.Info(l.ctx, msg, fields(kv)) }
func (l tflogLogger) Debug(msg string, kv ...any) { tflog.Debug(l.ctx, msg, fields(kv)) }

func fields(kv []any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	if len(kv)%2 == 1 {
		m["extra"] = kv[len(kv)-1]
	}
	return m
}

// redactingLogger renders every value to a string and blanks the token in
// it: defence in depth, should a dependency ever log a header or an error
// that quotes one.
type redactingLogger struct {
	next  Logger
	token string
}

func (l redactingLogger) clean(msg string, kv []any) (string, []any) {
	out := make([]any, len(kv))
	for i, v := range kv {
		if i%2 == 1 {
			out[i] = redact(fmt.Sprint(v), l.token)
		} else {
			out[i] = v
		}
	}
	return redact(msg, l.token), out
}

func (l redactingLogger) Error(msg string, kv ...any) {
	msg, kv = l.clean(msg, kv)
	l.next.Error(msg, kv...)
}

func (l redactingLogger) Warn(msg string, kv ...any) {
	msg, kv = l.clean(msg, kv)
	l.next.Warn(msg, kv...)
}

func (l redactingLogger) Info(msg string, kv ...any) {
	msg, kv = l.clean(msg, kv)
	l.next.Info(msg, kv...)
}

func (l redactingLogger) Debug(msg string, kv ...any) {
	msg, kv = l.clean(msg, kv)
	l.next.Debug(msg, kv...)
}

func redact(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "[redacted]")
}

// leveled adapts a Logger to retryablehttp.LeveledLogger.
type leveled struct{ l Logger }

var _ retryablehttp.LeveledLogger = leveled{}

func (a leveled) Error(msg string, kv ...any) { a.l.Error(msg, kv...) }
func (a leveled) Warn(msg string, kv ...any)  { a.l.Warn(msg, kv...) }
func (a leveled) Info(msg string, kv ...any)  { a.l.Info(msg, kv...) }
func (a leveled) Debug(msg string, kv ...any) { a.l.Debug(msg, kv...) }
