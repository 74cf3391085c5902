//go:build !race

package gopatchrt

// raceDetector is set when the tests run under the race detector.
const raceDetector = false
