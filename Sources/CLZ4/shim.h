// liblz4's frame format (Debian: liblz4-dev), for PromoLedger's archives and backups.
#include <lz4frame.h>
