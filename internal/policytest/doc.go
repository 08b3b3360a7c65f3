// Package policytest proves the OPA policies in examples/policies on real
// plans: its tests plan configurations with the real terraform binary and the
// in-process provider, hand the plan JSON to the opa binary, and check which
// plans the policies deny and with which messages. It has no non-test code.
package policytest
