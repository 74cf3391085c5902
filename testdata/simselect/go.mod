module example.com/simselect

go 1.23

require gopatch.dev/gopatch/runtime v0.1.0

replace gopatch.dev/gopatch/runtime => ../../runtime
