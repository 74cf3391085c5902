package gopatchrt

// before is the common start of every slow path: it locates the site and asks the hub.
func (c Call) before(h Hub, op *Op) Token {
	c.site.locate()
	return h.Before(c.site, op)
}
