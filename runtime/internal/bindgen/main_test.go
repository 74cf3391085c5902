package main

import (
	"bytes"
	"os"
	"testing"
)

func TestBindUpToDate(t *testing.T) {
	have, err := os.ReadFile("../../bind.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, generate()) {
		t.Fatal("bind.go is stale: run go generate in the runtime's directory")
	}
}
