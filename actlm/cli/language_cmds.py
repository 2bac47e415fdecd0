"""``actlm describe``: text descriptions of a dataset's samples, generated once and cached."""
from __future__ import annotations

import click

from . import main


@main.command("describe")
@click.argument("dataset")
@click.option("--backend", type=click.Choice(["kinematic", "openai", "hf", "smollm"]), default="kinematic",
              show_default=True, help="Who writes the descriptions.")
@click.option("--split", default="train", show_default=True, help="Split to describe ('all' for every sample).")
@click.option("--base-url", default=None, help="openai: server URL, e.g. http://localhost:8000/v1 (or $ACTLM_OPENAI_BASE_URL).")
@click.option("--model", "model_name", default=None, help="openai: model name on the server (or $ACTLM_OPENAI_MODEL).")
@click.option("--api-key-env", default=None,
              help="openai: name of the environment variable holding the API key (default ACTLM_OPENAI_API_KEY / OPENAI_API_KEY).")
@click.option("--concurrency", default=4, show_default=True, help="openai: requests in flight.")
@click.option("--timeout", default=60.0, show_default=True,
              help="openai: seconds per request attempt, the whole reply included (a server that trickles is cut off).")
@click.option("--retries", default=3, show_default=True, help="openai: retries with backoff per request.")
@click.option("--frames", default=4, show_default=True, help="openai/hf: video frames sent per sample with --send-video.")
@click.option("--send-video", is_flag=True,
              help="openai/hf: also read the video named in a sample's metadata (its labels.csv `video` column) and "
                   "send frames of it; without this flag no video is read or uploaded.")
@click.option("--model-path", default=None, help="hf: local transformers checkpoint folder.")
@click.option("--prompt-version", default="v1", show_default=True, help="Cache key part: change it when you change prompts.")
@click.option("--no-label", is_flag=True, help="Do not tell the model the sample's class name.")
@click.option("--limit", type=int, default=None, help="Describe only the first N samples (trial runs).")
@click.option("--cache", "cache_path", type=click.Path(dir_okay=False), default=None, help="SQLite cache file (default: in the actlm cache).")
@click.option("--show", default=3, show_default=True, help="Print this many descriptions at the end.")
def describe_cmd(dataset: str, backend: str, split: str, base_url: str | None, model_name: str | None,
                 api_key_env: str | None, concurrency: int, timeout: float, retries: int, frames: int,
                 send_video: bool, model_path: str | None, prompt_version: str, no_label: bool, limit: int | None,
                 cache_path: str | None, show: int) -> None:
    """Describe DATASET's samples (and classes) for skeleton-language training.

    Re-running resumes: samples already in the cache for the same (backend, model, prompt
    version) and the same content are not described again (a sample whose recording changed is);
    failures are listed, the exit status is 1 when requests failed, and re-running retries them.
    """
    import os

    from ..data import load
    from ..language.cache import DescriptionCache, dataset_fingerprints
    from ..language.describers import build_describer, describe_dataset, tqdm_progress
    from ..language.describers.base import printable

    ds = load(dataset) if split == "all" else load(dataset, split=split)
    options: dict = {}
    if backend == "openai":
        key = os.environ.get(api_key_env) if api_key_env else None
        if api_key_env and not key:
            raise click.ClickException(f"environment variable {api_key_env} is not set")
        options = {"base_url": base_url, "model": model_name, "api_key": key, "concurrency": concurrency,
                   "timeout": timeout, "retries": retries, "frames": frames}
    elif backend == "hf":
        options = {"model_path": model_path, "frames": frames}
    describer = build_describer(backend, **options)
    describer.prompt_version = prompt_version
    cache = DescriptionCache(cache_path)
    click.echo(f"describing {ds.name}/{ds.split_name or 'all'} ({len(ds)} samples) with {backend} "
               f"(model {describer.model}, prompt {prompt_version}); cache {cache.path}", err=True)
    report = describe_dataset(ds, describer, cache, include_label=not no_label, limit=limit, progress=tqdm_progress,
                              send_videos=send_video)
    click.echo(report.summary())
    shown = ds.sample_ids[:show]
    texts = cache.get_many(describer.key(ds.name), shown, fingerprints=dataset_fingerprints(ds.subset(range(len(shown)))))
    for sample_id, text in texts.items():
        click.echo(f"  {printable(sample_id)}: {printable(text)}")
    if report.requests_failed:
        raise click.ClickException(f"{report.requests_failed} description request(s) failed ({report.described} "
                                   f"saved); run the same command again to retry them")
