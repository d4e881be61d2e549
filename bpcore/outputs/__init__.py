"""What bp writes besides the video: the exports (export), the interactive page (page), the
published files beside a video (publish), and the colours every output shares (palette)."""
