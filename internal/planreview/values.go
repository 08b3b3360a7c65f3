package planreview

import (
	"encoding/json"
	"fmt"
)

// The attributes of each engage resource that the review reads, as the
// plan JSON holds them. Secrets are never decoded: a transfer credential's
// secret_wo is write-only (always null in a plan) and no field here names
// it, so no output can carry it.

type roleValues struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Permissions []string `json:"permissions"`
	// Effective is what a data source reports; a resource's own is
	// recomputed from Permissions with the catalog in this binary.
	Effective []string `json:"effective_permissions"`
	System    bool     `json:"system"`
}

type userValues struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	RoleID      string `json:"role_id"`
	Disabled    bool   `json:"disabled"`
}

type allowlistValues struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
	Entries []struct {
		CIDR string `json:"cidr"`
	} `json:"entries"`
}

type maskingValues struct {
	Table  string `json:"table"`
	Column string `json:"column"`
	Mask   string `json:"mask"`
}

type credentialValues struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
}

type destinationValues struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
	SFTP *struct {
		Host          string `json:"host"`
		Port          *int64 `json:"port"`
		Path          string `json:"path"`
		HostKeySHA256 string `json:"host_key_sha256"`
	} `json:"sftp"`
	S3 *struct {
		Bucket string `json:"bucket"`
		Region string `json:"region"`
		Prefix string `json:"prefix"`
	} `json:"s3"`
	ExportKinds []string `json:"export_kinds"`
}

type settingsValues struct {
	RequireTwoFactor         bool   `json:"require_two_factor"`
	SessionTimeoutMinutes    *int64 `json:"session_timeout_minutes"`
	CampaignApprovalRequired bool   `json:"campaign_approval_required"`
	SSO                      *struct {
		Enabled bool `json:"enabled"`
		Enforce bool `json:"enforce"`
	} `json:"sso"`
}

// decodeValues decodes one side of a change; a shape that does not match
// the provider's schema is an input error naming the resource.
func decodeValues[V any](address string, raw json.RawMessage) (V, error) {
	var v V
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, inputErrorf("%s: the values do not match the engage provider's schema (%v); is the plan from this provider?", address, err)
	}
	return v, nil
}

func (d destinationValues) target() string {
	switch {
	case d.SFTP != nil:
		port := int64(22)
		if d.SFTP.Port != nil {
			port = *d.SFTP.Port
		}
		return fmt.Sprintf("sftp://%s:%d%s", d.SFTP.Host, port, d.SFTP.Path)
	case d.S3 != nil:
		return fmt.Sprintf("s3://%s/%s (%s)", d.S3.Bucket, d.S3.Prefix, d.S3.Region)
	}
	return ""
}
