package access

import (
	"context"
	"fmt"
	"net/netip"
)

// An allowlist write made on behalf of a caller carries the caller's
// address in its context (WithLockoutGuard), and the backend refuses the
// write, in the write's own transaction, when the lists as it leaves them
// would shut that address out. Checked inside the transaction, two
// concurrent writes that each leave the caller in but together shut it out
// cannot both commit: the database orders them (SQLite's write lock,
// PostgreSQL's serializable isolation), and the second sees the first.

type lockoutGuardKey struct{}

// WithLockoutGuard returns ctx asking allowlist writes made in it to keep
// caller inside the enabled lists.
func WithLockoutGuard(ctx context.Context, caller netip.Addr) context.Context {
	return context.WithValue(ctx, lockoutGuardKey{}, caller)
}

// LockoutGuardFrom returns the address ctx asks allowlist writes to keep
// inside the enabled lists, if any.
func LockoutGuardFrom(ctx context.Context) (netip.Addr, bool) {
	caller, ok := ctx.Value(lockoutGuardKey{}).(netip.Addr)
	return caller, ok
}

// CheckLockout is the guard itself: a *LockoutError when ctx carries a
// caller that lists (every list, as the write leaves them) shut out.
func CheckLockout(ctx context.Context, lists []IPAllowlist) error {
	caller, ok := LockoutGuardFrom(ctx)
	if !ok || AllowedBy(lists, caller) {
		return nil
	}
	return &LockoutError{Caller: caller}
}

// LockoutError refuses an allowlist write that would leave the caller's
// own address outside every enabled list: the platform would refuse the
// caller's next request.
type LockoutError struct {
	Caller netip.Addr
}

// Reason says what would happen and the way out that every client has.
func (e *LockoutError) Reason() string {
	return fmt.Sprintf("after this change your address %s would be outside every enabled IP allowlist, and the "+
		"platform would refuse your next request; add %s to an enabled list in the same change",
		e.Caller, netip.PrefixFrom(e.Caller, e.Caller.BitLen()))
}

func (e *LockoutError) Error() string { return "IP allowlist: " + e.Reason() }

// Is makes errors.Is(err, ErrConflict) true: the write conflicts with the
// caller's own access.
func (e *LockoutError) Is(target error) bool { return target == ErrConflict }
