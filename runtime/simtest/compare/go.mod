module gopatch.dev/gopatch/runtime/simtest/compare

go 1.25

require gopatch.dev/gopatch/runtime v0.0.0

replace gopatch.dev/gopatch/runtime => ../..
