package graph

import (
	"jobgraph/graph/generated"
	"jobgraph/graph/model"
	"jobgraph/graph/paging"
)

// complexity scores a connection field by the page it asks for: its
// selection costs once per item, so nested lists multiply as the upstream
// calls they cause do. A query whose score exceeds the configured limit is
// refused before any call is made.
func complexity() generated.ComplexityRoot {
	var c generated.ComplexityRoot
	c.Project.Jobs = func(child int, _ []model.CiStatus, first *int, _ *string, last *int, _ *string) int {
		return listCost(child, first, last)
	}
	c.Project.Pipelines = func(child int, _ *model.CiStatus, _, _ *string, first *int, _ *string, last *int, _ *string) int {
		return listCost(child, first, last)
	}
	c.Pipeline.Jobs = func(child int, _ []model.CiStatus, _ *bool, first *int, _ *string, last *int, _ *string) int {
		return listCost(child, first, last)
	}
	c.Pipeline.Bridges = func(child int, _ []model.CiStatus, first *int, _ *string, last *int, _ *string) int {
		return listCost(child, first, last)
	}
	c.Query.Projects = func(child int, _ *string, _ *bool, first *int, _ *string, last *int, _ *string) int {
		return listCost(child, first, last)
	}
	c.Query.Nodes = func(child int, ids []string) int {
		return 1 + child*len(ids)
	}
	return c
}

// listCost is one for the list call plus the selection once per item asked
// for. Out-of-range sizes are scored as the largest page; the resolver
// rejects them anyway.
func listCost(child int, first, last *int) int {
	n := paging.DefaultPageSize
	for _, v := range []*int{first, last} {
		if v != nil {
			n = min(max(*v, 1), paging.MaxPageSize)
		}
	}
	return 1 + child*n
}
