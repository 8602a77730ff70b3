// Texts about the pool shared by the live pool's status and the hovers.

/** The end of a stale status message (hovers show the time their own way and drop it). */
export function staleNote(fetchedAt: number): string {
  return `Showing the VMs as of ${new Date(fetchedAt).toISOString()}.`;
}
