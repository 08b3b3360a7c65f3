# With no arguments the provider keeps the account in an embedded database
# file (.engage/engage.db), so a configuration works with no account and no
# server.
provider "engage" {}

# Or keep the embedded database somewhere else:
provider "engage" {
  alias         = "sandbox"
  embedded_path = "${path.root}/.engage/sandbox.db"
}
