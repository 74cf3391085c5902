module example.com/observedemo

go 1.21

require gopatch.dev/gopatch/runtime v0.0.0

replace gopatch.dev/gopatch/runtime => ../../runtime
