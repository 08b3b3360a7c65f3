package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// SecretKeySize is the length of the key that encrypts transfer credential
// secrets at rest (AES-256-GCM).
const SecretKeySize = 32

// secretBox seals transfer credential secrets with AES-256-GCM. The key
// comes from WithSecretKey (the provider passes ENGAGE_EMBEDDED_KEY) or from
// a key file beside the database, created with mode 0600 the first time a
// secret is stored, so an account that has no credentials has no key file.
type secretBox struct {
	keyFile string // "" for an in-memory database: the key lives in memory
	// keyless, set by WithoutSecrets, makes every seal and open fail: the
	// store was opened by a command that needs no secret.
	keyless bool

	mu   sync.Mutex
	aead cipher.AEAD // nil until first use
}

func newSecretBox(key []byte, keyFile string) (*secretBox, error) {
	b := &secretBox{keyFile: keyFile}
	if key == nil && keyFile == "" {
		key = make([]byte, SecretKeySize)
		_, _ = rand.Read(key) // never fails; see crypto/rand.Read
	}
	if key != nil {
		aead, err := newAEAD(key)
		if err != nil {
			return nil, err
		}
		b.aead = aead
	}
	return b, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != SecretKeySize {
		return nil, fmt.Errorf("the secret encryption key must be %d bytes, got %d", SecretKeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret encryption key: %w", err)
	}
	return cipher.NewGCM(block)
}

// cipher returns the AEAD, loading or creating the key file on first use.
func (b *secretBox) cipher() (cipher.AEAD, error) {
	if b.keyless {
		return nil, ErrOpenedWithoutSecrets
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.aead != nil {
		return b.aead, nil
	}
	key, err := loadOrCreateKey(b.keyFile)
	if err != nil {
		return nil, err
	}
	if b.aead, err = newAEAD(key); err != nil {
		return nil, fmt.Errorf("key file %s: %w", b.keyFile, err)
	}
	return b.aead, nil
}

// loadOrCreateKey reads the key file, or creates it with a new random key.
// O_EXCL makes creation safe when two processes race: the loser reads the
// winner's key.
func loadOrCreateKey(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		key := make([]byte, SecretKeySize)
		_, _ = rand.Read(key)
		_, werr := f.Write(key)
		serr := f.Sync()
		if cerr := f.Close(); werr == nil && serr == nil {
			werr = cerr
		}
		if werr = errors.Join(werr, serr); werr != nil {
			_ = os.Remove(path)
			return nil, fmt.Errorf("creating key file %s: %w", path, werr)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("creating key file %s: %w", path, err)
	}
	f, err = os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading key file %s: %w", path, err)
	}
	defer f.Close()
	// A racing creator may not have written yet: read what is there and
	// let the length check in newAEAD refuse a short key.
	key, err := io.ReadAll(io.LimitReader(f, SecretKeySize+1))
	if err != nil {
		return nil, fmt.Errorf("reading key file %s: %w", path, err)
	}
	return key, nil
}

// seal encrypts secret, bound to the credential id so a ciphertext copied to
// another row does not decrypt. The nonce is stored in front.
func (b *secretBox) seal(id, secret string) ([]byte, error) {
	aead, err := b.cipher()
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(secret)+aead.Overhead())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, []byte(secret), []byte(id)), nil
}

// open decrypts what seal produced. Errors never include the plaintext.
func (b *secretBox) open(id string, sealed []byte) (string, error) {
	aead, err := b.cipher()
	if err != nil {
		return "", err
	}
	if len(sealed) < aead.NonceSize() {
		return "", errors.New("stored secret is truncated")
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(id))
	if err != nil {
		return "", errors.New("stored secret does not decrypt with this key (was the database moved without its key file, or ENGAGE_EMBEDDED_KEY changed?)")
	}
	return string(plain), nil
}

// keyCheckID binds the key check's ciphertext, as a credential's id binds
// its secret's.
const keyCheckID = "secret key check"

// checkSecretKey refuses a key other than the one the database's secrets
// are sealed with. The first server to open the database seals a value with
// its key (migration 6); every later open must be able to open it. On
// PostgreSQL several servers share the database and each is given the key
// (there is no key file to share), so a replica started with the wrong key
// fails here, at start, rather than on the first secret it reads.
func (s *Store) checkSecretKey(ctx context.Context) error {
	var sealed []byte
	err := s.read(ctx, func(q querier) error {
		return q.QueryRowContext(ctx, `SELECT sealed FROM secret_key_check WHERE id = 1`).Scan(&sealed)
	})
	if errors.Is(err, sql.ErrNoRows) {
		mine, serr := s.secrets.seal(keyCheckID, keyCheckID)
		if serr != nil {
			return serr
		}
		err = s.write(ctx, func(tx *sql.Tx) error {
			// Another server may have sealed one first: that one stays,
			// and this server's key must open it.
			if _, err := tx.ExecContext(ctx, `INSERT INTO secret_key_check (id, sealed) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`, mine); err != nil {
				return err
			}
			return tx.QueryRowContext(ctx, `SELECT sealed FROM secret_key_check WHERE id = 1`).Scan(&sealed)
		})
	}
	if err != nil {
		return fmt.Errorf("checking the secret encryption key: %w", err)
	}
	if _, err := s.secrets.open(keyCheckID, sealed); err != nil {
		return ErrSecretKeyMismatch
	}
	return nil
}

// ErrOpenedWithoutSecrets is what reading or writing a secret returns in a
// store opened WithoutSecrets.
var ErrOpenedWithoutSecrets = errors.New("this database was opened without its secret encryption key, so no secret can be read or stored")

// ErrSecretKeyMismatch means the secret key given is not the one the
// database's secrets were sealed with.
var ErrSecretKeyMismatch = errors.New("the secret encryption key is not the one this database's secrets are sealed with; " +
	"every server on one database needs the same key")
