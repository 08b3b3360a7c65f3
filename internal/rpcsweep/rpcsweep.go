// Package rpcsweep bounds the memory a plugin process keeps per RPC.
//
// terraform-plugin-framework (v1.19) registers a cancel function for the
// context of every RPC it serves and lets go of them only when Terraform
// calls StopProvider, which it does on interrupt, not at the end of a run.
// Each kept function pins its RPC's whole context: the request's loggers,
// their options, the gRPC stream. A no-op plan of 5,000 objects makes about
// 20,000 RPCs, and the plugin ended it holding about 290 MiB of such
// contexts (heap profile at the peak, ENGAGE_PROFILE_DIR).
//
// Wrap puts a server in front of the framework's that, every sweepEvery
// RPCs, calls the framework's StopProvider at a moment when no RPC is in
// flight, so that it cancels only contexts whose RPCs have returned and the
// framework drops them all. In-flight RPCs hold a read lock and the sweep
// takes the write lock only if it is free (TryLock), so a sweep never
// cancels a live request and never makes one wait for long: at most for the
// sweep itself, a loop of cancel calls on finished contexts.
package rpcsweep

import (
	"context"
	"errors"
	"iter"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// sweepEvery is how many RPCs may pass between two sweeps: a few MiB of
// contexts at most, and a sweep rare enough to cost nothing measurable.
const sweepEvery = 256

// Wrap returns next behind a server that sweeps its finished RPC contexts.
// The methods are written out one by one, not promoted from an embedded
// interface: a method the wrapper did not guard would be cancelled by a
// sweep while in flight, and the compiler now refuses a ProviderServer with a
// method this file does not know.
//
// The methods of tfprotov6.ProviderServer pass, and those of the optional
// action and list resource servers (Terraform 1.14+), which this provider
// implements. The other optional server (state stores) answers unimplemented
// from tf6server instead of the framework's empty answers: this provider has
// none, and no Terraform we support calls it. A provider that adds one must
// wrap its methods here too.
func Wrap(next tfprotov6.ProviderServer) tfprotov6.ProviderServer {
	return &server{next: next}
}

type server struct {
	next tfprotov6.ProviderServer

	// inFlight is read-locked by every RPC for its duration; a sweep runs
	// only while it can hold it exclusively.
	inFlight sync.RWMutex
	// sinceSweep counts the RPCs finished since the last sweep.
	sinceSweep atomic.Int64
}

var (
	_ tfprotov6.ProviderServer = (*server)(nil)
	// tf6server serves actions only from a server that is also an
	// ActionServer (tfprotov6.ProviderServerWithActions, deprecated until
	// ProviderServer absorbs it).
	_ tfprotov6.ActionServer = (*server)(nil)
	// ... and list resources only from a server that is also a
	// ListResourceServer (tfprotov6.ProviderServerWithListResource, deprecated
	// likewise).
	_ tfprotov6.ListResourceServer = (*server)(nil)
)

// serve runs one RPC under the read lock, then sweeps if it is time and
// nothing else is in flight.
func serve[Req, Resp any](s *server, ctx context.Context, req *Req, rpc func(context.Context, *Req) (*Resp, error)) (*Resp, error) {
	s.inFlight.RLock()
	resp, err := rpc(ctx, req)
	s.inFlight.RUnlock()
	s.maybeSweep()
	return resp, err
}

func (s *server) maybeSweep() {
	if s.sinceSweep.Add(1) < sweepEvery {
		return
	}
	if !s.inFlight.TryLock() {
		return // an RPC is running; one of the next to finish tries again
	}
	defer s.inFlight.Unlock()
	s.sinceSweep.Store(0)
	// The framework's StopProvider does nothing but cancel and forget the
	// contexts it registered; with nothing in flight they are all finished.
	_, _ = s.next.StopProvider(context.Background(), &tfprotov6.StopProviderRequest{})
}

// StopProvider is Terraform's interrupt: it passes at once, without the
// lock, because it must cancel the RPCs in flight.
func (s *server) StopProvider(ctx context.Context, req *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	return s.next.StopProvider(ctx, req)
}

func (s *server) GetMetadata(ctx context.Context, req *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	return serve(s, ctx, req, s.next.GetMetadata)
}

func (s *server) GetProviderSchema(ctx context.Context, req *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	return serve(s, ctx, req, s.next.GetProviderSchema)
}

func (s *server) GetResourceIdentitySchemas(ctx context.Context, req *tfprotov6.GetResourceIdentitySchemasRequest) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	return serve(s, ctx, req, s.next.GetResourceIdentitySchemas)
}

func (s *server) ValidateProviderConfig(ctx context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	return serve(s, ctx, req, s.next.ValidateProviderConfig)
}

func (s *server) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	return serve(s, ctx, req, s.next.ConfigureProvider)
}

func (s *server) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return serve(s, ctx, req, s.next.ValidateResourceConfig)
}

func (s *server) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return serve(s, ctx, req, s.next.UpgradeResourceState)
}

func (s *server) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return serve(s, ctx, req, s.next.UpgradeResourceIdentity)
}

func (s *server) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return serve(s, ctx, req, s.next.ReadResource)
}

func (s *server) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return serve(s, ctx, req, s.next.PlanResourceChange)
}

func (s *server) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return serve(s, ctx, req, s.next.ApplyResourceChange)
}

func (s *server) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return serve(s, ctx, req, s.next.ImportResourceState)
}

func (s *server) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return serve(s, ctx, req, s.next.MoveResourceState)
}

func (s *server) GenerateResourceConfig(ctx context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	return serve(s, ctx, req, s.next.GenerateResourceConfig)
}

func (s *server) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return serve(s, ctx, req, s.next.ValidateDataResourceConfig)
}

func (s *server) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return serve(s, ctx, req, s.next.ReadDataSource)
}

func (s *server) GetFunctions(ctx context.Context, req *tfprotov6.GetFunctionsRequest) (*tfprotov6.GetFunctionsResponse, error) {
	return serve(s, ctx, req, s.next.GetFunctions)
}

func (s *server) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return serve(s, ctx, req, s.next.CallFunction)
}

func (s *server) ValidateEphemeralResourceConfig(ctx context.Context, req *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	return serve(s, ctx, req, s.next.ValidateEphemeralResourceConfig)
}

func (s *server) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	return serve(s, ctx, req, s.next.OpenEphemeralResource)
}

func (s *server) RenewEphemeralResource(ctx context.Context, req *tfprotov6.RenewEphemeralResourceRequest) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	return serve(s, ctx, req, s.next.RenewEphemeralResource)
}

func (s *server) CloseEphemeralResource(ctx context.Context, req *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	return serve(s, ctx, req, s.next.CloseEphemeralResource)
}

// actions is the wrapped server's action server; the framework's is one.
func (s *server) actions() (tfprotov6.ActionServer, error) {
	a, ok := s.next.(tfprotov6.ActionServer)
	if !ok {
		return nil, errors.New("rpcsweep: the wrapped provider server does not serve actions")
	}
	return a, nil
}

func (s *server) ValidateActionConfig(ctx context.Context, req *tfprotov6.ValidateActionConfigRequest) (*tfprotov6.ValidateActionConfigResponse, error) {
	a, err := s.actions()
	if err != nil {
		return nil, err
	}
	return serve(s, ctx, req, a.ValidateActionConfig)
}

func (s *server) PlanAction(ctx context.Context, req *tfprotov6.PlanActionRequest) (*tfprotov6.PlanActionResponse, error) {
	a, err := s.actions()
	if err != nil {
		return nil, err
	}
	return serve(s, ctx, req, a.PlanAction)
}

// InvokeAction is in flight until Terraform has drained its events, not
// only until it returns: the framework runs the action inside the stream's
// iterator, which tf6server ranges over after this method returned.
func (s *server) InvokeAction(ctx context.Context, req *tfprotov6.InvokeActionRequest) (*tfprotov6.InvokeActionServerStream, error) {
	a, err := s.actions()
	if err != nil {
		return nil, err
	}
	s.inFlight.RLock()
	stream, err := a.InvokeAction(ctx, req)
	if err != nil || stream == nil {
		s.drained()
		return stream, err
	}
	return &tfprotov6.InvokeActionServerStream{Events: heldUntilDrained(s, stream.Events)}, nil
}

// lists is the wrapped server's list resource server; the framework's is one.
func (s *server) lists() (tfprotov6.ListResourceServer, error) {
	l, ok := s.next.(tfprotov6.ListResourceServer)
	if !ok {
		return nil, errors.New("rpcsweep: the wrapped provider server does not serve list resources")
	}
	return l, nil
}

func (s *server) ValidateListResourceConfig(ctx context.Context, req *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	l, err := s.lists()
	if err != nil {
		return nil, err
	}
	return serve(s, ctx, req, l.ValidateListResourceConfig)
}

// ListResource is in flight until Terraform has drained its results, as
// InvokeAction: the provider reads the platform page by page inside the
// iterator.
func (s *server) ListResource(ctx context.Context, req *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	l, err := s.lists()
	if err != nil {
		return nil, err
	}
	s.inFlight.RLock()
	stream, err := l.ListResource(ctx, req)
	if err != nil || stream == nil {
		s.drained()
		return stream, err
	}
	return &tfprotov6.ListResourceServerStream{Results: heldUntilDrained(s, stream.Results)}, nil
}

// heldUntilDrained wraps the iterator of a streaming RPC whose caller took
// the read lock: the lock is held until the iteration ends, so a sweep
// cannot cancel the RPC's context while the provider still works inside the
// iterator. tf6server always drains a stream returned without error (it
// stops early only when its own context ends, and the iterator then returns
// too); a nil iterator, which it reads as no results, releases the lock at
// once.
func heldUntilDrained[E any](s *server, seq iter.Seq[E]) iter.Seq[E] {
	if seq == nil {
		s.drained()
		return nil
	}
	var once sync.Once
	return func(yield func(E) bool) {
		defer once.Do(s.drained)
		seq(yield)
	}
}

// drained ends a streaming RPC: it releases the read lock taken before the
// call and sweeps if it is time.
func (s *server) drained() {
	s.inFlight.RUnlock()
	s.maybeSweep()
}

// NewProtocol6WithError is providerserver.NewProtocol6WithError with the
// framework's server wrapped: the factory the acceptance tests run, so that
// they exercise what main serves.
func NewProtocol6WithError(p provider.Provider) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		s, err := providerserver.NewProtocol6WithError(p)()
		if err != nil {
			return nil, err
		}
		return Wrap(s), nil
	}
}
