module example.com/simdemo

go 1.23

require gopatch.dev/gopatch/runtime v0.1.0

replace gopatch.dev/gopatch/runtime => ../../runtime
