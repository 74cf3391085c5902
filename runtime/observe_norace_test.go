//go:build !race

package gopatchrt_test

const raceEnabled = false
