// Package bank has a planted check-then-act race: Withdraw checks the balance and
// debits it in two separate critical sections, so two withdrawals can both pass
// the check. Under the Go scheduler the window is a few nanoseconds wide and the
// test passes; under the sim hub, which switches goroutines at every patched lock
// and channel operation, some seeds find it, and each of those replays exactly.
package bank

import "sync"

// Account is a balance guarded by a mutex.
type Account struct {
	mu      sync.Mutex
	balance int
}

// Balance returns the balance.
func (a *Account) Balance() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.balance
}

// Withdraw debits n if the balance covers it.
func (a *Account) Withdraw(n int) bool {
	if a.Balance() < n { // check ...
		return false
	}
	a.mu.Lock() // ... then act, after the lock was let go
	a.balance -= n
	a.mu.Unlock()
	return true
}
