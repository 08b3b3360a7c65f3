package rpcsweep

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/engage-oss/terraform-provider-engage/internal/provider"
)

// fakeServer answers GetMetadata and counts StopProvider calls. With hold
// set, its first GetMetadata closes entered and waits for hold to close.
type fakeServer struct {
	tfprotov6.ProviderServer // nil: any other method panics
	hold, entered            chan struct{}
	calls, stops             atomic.Int64
}

func newHeldServer() *fakeServer {
	return &fakeServer{hold: make(chan struct{}), entered: make(chan struct{})}
}

func (f *fakeServer) GetMetadata(context.Context, *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	if f.calls.Add(1) == 1 && f.hold != nil {
		close(f.entered)
		<-f.hold
	}
	return &tfprotov6.GetMetadataResponse{}, nil
}

func (f *fakeServer) StopProvider(context.Context, *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	f.stops.Add(1)
	return &tfprotov6.StopProviderResponse{}, nil
}

func call(t *testing.T, s tfprotov6.ProviderServer, n int) {
	t.Helper()
	for range n {
		if _, err := s.GetMetadata(t.Context(), &tfprotov6.GetMetadataRequest{}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSweepsEverySweepEveryRPCs(t *testing.T) {
	next := &fakeServer{}
	s := Wrap(next)
	call(t, s, sweepEvery-1)
	if got := next.stops.Load(); got != 0 {
		t.Fatalf("%d sweeps after %d RPCs, want 0", got, sweepEvery-1)
	}
	call(t, s, 1)
	if got := next.stops.Load(); got != 1 {
		t.Fatalf("%d sweeps after %d RPCs, want 1", got, sweepEvery)
	}
	call(t, s, 2*sweepEvery)
	if got := next.stops.Load(); got != 3 {
		t.Fatalf("%d sweeps after %d RPCs, want 3", got, 3*sweepEvery)
	}
}

func TestNoSweepWhileAnRPCIsInFlight(t *testing.T) {
	next := newHeldServer()
	s := Wrap(next)
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = s.GetMetadata(context.Background(), &tfprotov6.GetMetadataRequest{}) }) // in flight until hold closes
	<-next.entered
	call(t, s, 2*sweepEvery)
	if got := next.stops.Load(); got != 0 {
		t.Fatalf("%d sweeps while an RPC was in flight, want 0", got)
	}
	close(next.hold)
	wg.Wait()
	// The held RPC, finishing last with the count past sweepEvery, sweeps.
	if got := next.stops.Load(); got != 1 {
		t.Fatalf("%d sweeps once the RPC returned, want 1", got)
	}
}

func TestStopProviderPassesWhileAnRPCIsInFlight(t *testing.T) {
	next := newHeldServer()
	s := Wrap(next)
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = s.GetMetadata(context.Background(), &tfprotov6.GetMetadataRequest{}) })
	<-next.entered
	// Terraform's interrupt must reach the framework now, not after the RPC.
	if _, err := s.StopProvider(t.Context(), &tfprotov6.StopProviderRequest{}); err != nil {
		t.Fatal(err)
	}
	if got := next.stops.Load(); got != 1 {
		t.Fatalf("StopProvider reached the server %d times, want 1", got)
	}
	close(next.hold)
	wg.Wait()
}

// TestBoundsWhatTheFrameworkKeepsPerRPC runs RPCs whose contexts carry a
// 64 KiB value through the real framework server: unwrapped, the framework
// keeps every context, so the heap grows by the value per RPC; wrapped, by
// at most sweepEvery of them.
func TestBoundsWhatTheFrameworkKeepsPerRPC(t *testing.T) {
	const rpcs, valueSize = 2000, 64 << 10 // 125 MiB if every context is kept
	type key struct{}
	retained := func(s tfprotov6.ProviderServer) uint64 {
		before := liveHeap()
		for range rpcs {
			ctx := context.WithValue(t.Context(), key{}, make([]byte, valueSize))
			if _, err := s.GetMetadata(ctx, &tfprotov6.GetMetadataRequest{}); err != nil {
				t.Fatal(err)
			}
		}
		after := liveHeap()
		runtime.KeepAlive(s)
		return max(after, before) - before
	}
	newServer := func() tfprotov6.ProviderServer { return providerserver.NewProtocol6(provider.New("test")())() }

	unwrapped := retained(newServer())
	wrapped := retained(Wrap(newServer()))
	t.Logf("heap kept after %d RPCs: %d MiB unwrapped, %d MiB wrapped", rpcs, unwrapped>>20, wrapped>>20)
	if unwrapped < rpcs*valueSize/2 {
		// The framework no longer keeps contexts: this package can go.
		t.Fatalf("the framework kept only %d MiB of %d contexts of %d KiB; is the sweep still needed?", unwrapped>>20, rpcs, valueSize>>10)
	}
	if limit := uint64(2 * sweepEvery * valueSize); wrapped > limit {
		t.Fatalf("wrapped, the heap kept %d MiB after %d RPCs, want at most %d MiB", wrapped>>20, rpcs, limit>>20)
	}
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// streamServer is a fakeServer whose InvokeAction and ListResource stream
// one event or result each, holding the stream open until hold closes, as a
// long action or a listing of many pages does.
type streamServer struct {
	*fakeServer
	tfprotov6.ActionServer       // nil: the other action methods panic
	tfprotov6.ListResourceServer // nil: the other list methods panic
	hold, entered                chan struct{}
}

func (a *streamServer) InvokeAction(context.Context, *tfprotov6.InvokeActionRequest) (*tfprotov6.InvokeActionServerStream, error) {
	return &tfprotov6.InvokeActionServerStream{Events: func(yield func(tfprotov6.InvokeActionEvent) bool) {
		close(a.entered)
		<-a.hold
		yield(tfprotov6.InvokeActionEvent{Type: tfprotov6.CompletedInvokeActionEventType{}})
	}}, nil
}

func (a *streamServer) ListResource(context.Context, *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	return &tfprotov6.ListResourceServerStream{Results: func(yield func(tfprotov6.ListResourceResult) bool) {
		close(a.entered)
		<-a.hold
		yield(tfprotov6.ListResourceResult{DisplayName: "one"})
	}}, nil
}

// wrappedStreams is what tf6server sees of the wrapped streamServer.
type wrappedStreams interface {
	tfprotov6.ProviderServer
	tfprotov6.ActionServer
	tfprotov6.ListResourceServer
}

// TestNoSweepWhileAStreamIsDrained: Terraform drains an action's events and
// a listing's results after the RPC returned, and the provider works inside
// the iterator meanwhile: its context must not be swept away.
func TestNoSweepWhileAStreamIsDrained(t *testing.T) {
	streams := map[string]func(context.Context, wrappedStreams) (func(func() bool), error){
		"InvokeAction": func(ctx context.Context, s wrappedStreams) (func(func() bool), error) {
			stream, err := s.InvokeAction(ctx, &tfprotov6.InvokeActionRequest{})
			if err != nil {
				return nil, err
			}
			return func(each func() bool) {
				for range stream.Events {
					each()
				}
			}, nil
		},
		"ListResource": func(ctx context.Context, s wrappedStreams) (func(func() bool), error) {
			stream, err := s.ListResource(ctx, &tfprotov6.ListResourceRequest{})
			if err != nil {
				return nil, err
			}
			return func(each func() bool) {
				for range stream.Results {
					each()
				}
			}, nil
		},
	}
	for name, open := range streams {
		t.Run(name, func(t *testing.T) {
			next := &streamServer{fakeServer: &fakeServer{}, hold: make(chan struct{}), entered: make(chan struct{})}
			s, ok := Wrap(next).(wrappedStreams)
			if !ok {
				t.Fatal("the wrapped server does not serve actions and list resources")
			}
			drain, err := open(t.Context(), s)
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			var items atomic.Int64
			wg.Go(func() { drain(func() bool { items.Add(1); return true }) })
			<-next.entered
			call(t, s, 2*sweepEvery)
			if got := next.stops.Load(); got != 0 {
				t.Fatalf("%d sweeps while the stream was open, want 0", got)
			}
			close(next.hold)
			wg.Wait()
			if items.Load() != 1 {
				t.Errorf("%d items passed through, want 1", items.Load())
			}
			if got := next.stops.Load(); got != 1 {
				t.Fatalf("%d sweeps once the stream was drained, want 1", got)
			}
		})
	}
}

func TestTheProvidersListResourcesPassThrough(t *testing.T) {
	s := Wrap(providerserver.NewProtocol6(provider.New("test")())())
	schema, err := s.GetProviderSchema(t.Context(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(schema.ListResourceSchemas) != len(schema.ResourceSchemas) {
		t.Errorf("%d list resource schemas for %d resources, want one each", len(schema.ListResourceSchemas), len(schema.ResourceSchemas))
	}
	for name := range schema.ResourceSchemas {
		if _, ok := schema.ListResourceSchemas[name]; !ok {
			t.Errorf("no list resource for %s", name)
		}
	}
	lists, ok := s.(tfprotov6.ListResourceServer)
	if !ok {
		t.Fatal("the wrapped server does not serve list resources")
	}
	resp, err := lists.ValidateListResourceConfig(t.Context(), &tfprotov6.ValidateListResourceConfigRequest{TypeName: "engage_nope"})
	if err != nil || len(resp.Diagnostics) == 0 {
		t.Errorf("validating an unknown list resource = %+v, %v; want the framework's diagnostic", resp, err)
	}
}

func TestTheProvidersActionsPassThrough(t *testing.T) {
	s := Wrap(providerserver.NewProtocol6(provider.New("test")())())
	schema, err := s.GetProviderSchema(t.Context(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := schema.ActionSchemas["engage_revoke_sessions"]; !ok {
		t.Fatalf("action schemas = %v, want engage_revoke_sessions", schema.ActionSchemas)
	}
	// tf6server serves actions only from a server that implements them.
	actions, ok := s.(interface {
		tfprotov6.ProviderServer
		tfprotov6.ActionServer
	})
	if !ok {
		t.Fatal("the wrapped server does not serve actions")
	}
	resp, err := actions.ValidateActionConfig(t.Context(), &tfprotov6.ValidateActionConfigRequest{ActionType: "engage_nope"})
	if err != nil || len(resp.Diagnostics) == 0 {
		t.Errorf("validating an unknown action = %+v, %v; want the framework's diagnostic", resp, err)
	}
}
