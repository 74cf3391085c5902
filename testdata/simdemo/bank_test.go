package bank

import (
	"testing"

	"gopatch.dev/gopatch/runtime/simtest"
)

func TestConcurrentWithdraw(t *testing.T) {
	simtest.Run(t, func(t *testing.T) {
		a := &Account{balance: 100}
		done := make(chan bool, 2)
		for i := 0; i < 2; i++ {
			go func() { done <- a.Withdraw(80) }()
		}
		<-done
		<-done
		if b := a.Balance(); b < 0 {
			t.Fatalf("two withdrawals of 80 from 100 left %d", b)
		}
	})
}
