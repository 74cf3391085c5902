package gopatchrt

type vnet struct{ s *Sim }

func newVnet(s *Sim) *vnet { return &vnet{s: s} }
