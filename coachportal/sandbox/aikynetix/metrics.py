"""Plausible, deterministic analysis results per activity, shaped like reference section 8."""

# The report comments carry Russian next to English, as the provider's do.
# ruff: noqa: RUF001

from __future__ import annotations

import hashlib
import math
import random
from typing import Any

RUNNING, JUMP, WEIGHTLIFTING = "Running", "Vertical Jump", "Weightlifting"
GRAVITY = 9.81


def rng_for(session_id: str) -> random.Random:
    """A random generator seeded from the session id, so a session always gets the same results."""
    return random.Random(int(hashlib.sha256(session_id.encode()).hexdigest()[:16], 16))


def generate(session_id: str, activity: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Return the fields a finished session gains: segments, metrics, report_comments and extras."""
    rng = rng_for(session_id)
    if activity == JUMP:
        return _jumping(rng, fields)
    if activity == WEIGHTLIFTING:
        return _weightlifting(rng, fields)
    return _running(rng, fields)


def _series(rng: random.Random, n: int, centre: float, spread: float, digits: int = 3) -> list[float]:
    return [round(centre + rng.uniform(-spread, spread), digits) for _ in range(n)]


def _summary(values: list[float]) -> dict[str, float]:
    return {"avg": round(sum(values) / len(values), 4), "min": min(values), "max": max(values)}


def _both(en: str, ru: str) -> dict[str, str]:
    return {"en": en, "ru": ru}


def _running(rng: random.Random, fields: dict[str, Any]) -> dict[str, Any]:
    n = rng.randint(3, 6)
    speed = _series(rng, n, rng.uniform(2.6, 4.4), 0.15)
    cadence = _series(rng, n, rng.uniform(158, 184), 4, 1)
    incline = float(fields.get("incline_degree") or 0)
    metrics = {
        "speed": speed,
        "cadence": cadence,
        "pace": [round(1000 / s / 60, 5) for s in speed],
        "stride_length": [round(s / (c / 60) * 2 * 0.5, 4) for s, c in zip(speed, cadence, strict=True)],
        "stride_time": [round(120 / c / 2, 4) for c in cadence],
        "contact_time": _series(rng, n, rng.uniform(0.2, 0.27), 0.01, 5),
        "flight_time": _series(rng, n, rng.uniform(0.09, 0.13), 0.01, 5),
        "contact_angle": _series(rng, n, rng.uniform(83, 91), 1.5),
        "push_angle": _series(rng, n, rng.uniform(68, 75), 1.0),
        "power": [round(p) for p in _series(rng, n, rng.uniform(190, 300), 12)],
        "rbalance": _series(rng, n, rng.uniform(46, 53), 1.2, 2),
        "contact_stability": _series(rng, n, 0.65, 0.15),
        "incline": [incline] * n,
        "mass": [70] * n,
    }
    angles = {
        name: _series(rng, n, centre, 4, 1)
        for name, centre in (("lhip_angle", 41), ("rhip_angle", 40), ("lkne_angle", 118), ("lelb_angle", 33))
    }
    total_time = round(n * rng.uniform(2.5, 3.2), 3)
    calculated = {
        name: _summary(values) for name, values in metrics.items() if name not in {"incline", "mass"}
    }
    calculated["total_distance"] = round(sum(speed) / n * total_time, 3)
    calculated["total_time"] = total_time
    footstrike = rng.choice(["heel", "midfoot", "forefoot"])
    avg_cadence = calculated["cadence"]["avg"]
    comments = {
        "text_summary": _both(
            f"Steady run at {calculated['speed']['avg']:.2f} m/s with a {footstrike} strike.",
            f"Ровный бег со скоростью {calculated['speed']['avg']:.2f} м/с.",
        ),
        "text_contact_angle": _both(
            f"Contact angle averages {calculated['contact_angle']['avg']:.1f}°; about 90° is ideal.",
            f"Средний угол контакта {calculated['contact_angle']['avg']:.1f}°.",
        ),
        "text_push_angle": _both(
            f"Push angle averages {calculated['push_angle']['avg']:.1f}°.",
            f"Средний угол отталкивания {calculated['push_angle']['avg']:.1f}°.",
        ),
        "text_hip_angle": _both("Hip extension is consistent across strides.", "Разгибание бедра стабильно."),
        "text_knee_ankle": _both(
            "Cadence above 150 spm is in the optimal range."
            if avg_cadence > 150
            else "Try a higher cadence (above 150 spm).",
            "Каденс в оптимальном диапазоне." if avg_cadence > 150 else "Попробуйте увеличить каденс.",
        ),
    }
    return {
        "segments": n,
        "metrics": metrics,
        "report_comments": comments,
        "angles": angles,
        "all_timestamps": [round((i + 1) / 30, 3) for i in range(n)],
        "calculated_metrics": {**calculated, "footstrike": footstrike},
    }


def _jumping(rng: random.Random, fields: dict[str, Any]) -> dict[str, Any]:
    jumps = rng.randint(1, 5)
    drop = fields.get("exercise") == "Drop Jump"
    heights = _series(rng, jumps, rng.uniform(0.26, 0.5), 0.03)
    contact = _series(rng, jumps, 0.22 if drop else 0.72, 0.04)
    mass = rng.uniform(60, 90)
    velocity = [round(math.sqrt(2 * GRAVITY * h), 3) for h in heights]
    peak_power = [round(60.7 * h * 100 + 45.3 * mass - 2055, 1) for h in heights]  # Sayers' equation
    metrics = {
        "jump_height": heights,
        "flight_time": [round(2 * v / GRAVITY, 4) for v in velocity],
        "contact_time": contact,
        "rsi": [round(h / c, 3) for h, c in zip(heights, contact, strict=True)],
        "com_velocity_takeoff": velocity,
        "peak_power": peak_power,
        "normalized_power": [round(p / mass, 2) for p in peak_power],
        "max_grf_takeoff": _series(rng, jumps, mass * GRAVITY * 2.4, 80, 1),
        "max_grf_landing": _series(rng, jumps, mass * GRAVITY * 3.6, 150, 1),
        "braking_time": _series(rng, jumps, 0.18, 0.03),
        "push_off_time": _series(rng, jumps, 0.25, 0.04),
        "knee_angle_eccentric": _series(rng, jumps, 95, 8, 1),
    }
    samples = 30
    wave = [math.sin(math.pi * i / (samples - 1)) for i in range(samples)]
    whole = {
        "hipy": [round(0.95 + 0.4 * w, 3) for w in wave],
        "vhipy": [round(2.5 * math.cos(math.pi * i / (samples - 1)), 3) for i in range(samples)],
        "grf": [round(mass * GRAVITY * (1 + 1.5 * (1 - w)), 1) for w in wave],
        "toey": [round(0.4 * w, 3) for w in wave],
        "ahipy": [round(0.95 + 0.2 * w, 3) for w in wave],
        "vtoey": [round(2.0 * math.cos(math.pi * i / (samples - 1)), 3) for i in range(samples)],
    }
    best = max(heights)
    return {
        "segments": jumps,
        "metrics": metrics,
        "report_comments": {
            "text_summary": _both(
                f"{jumps} jump(s); best height {best * 100:.1f} cm.",
                f"Прыжков: {jumps}; лучшая высота {best * 100:.1f} см.",
            ),
            "text_rsi": _both(
                f"Reactive strength index averages {sum(metrics['rsi']) / jumps:.2f}.",
                f"Средний индекс реактивной силы {sum(metrics['rsi']) / jumps:.2f}.",
            ),
        },
        "angles": {
            name: _series(rng, samples, centre, 10, 1)
            for name, centre in (("lkne_angle", 120), ("rkne_angle", 121), ("hip_intersection_angle", 140))
        },
        "whole_report_metrics": whole,
        "end_frames": sorted(rng.sample(range(40, 400), jumps)),
        "all_timestamps": [round(i / 60, 3) for i in range(samples)],
    }


def _weightlifting(rng: random.Random, fields: dict[str, Any]) -> dict[str, Any]:
    mass = float(fields.get("barbell_mass") or 100)
    start = rng.randint(400, 600)
    first_pull = start + rng.randint(350, 450)
    transition = first_pull + rng.randint(25, 45)
    second_pull = transition + rng.randint(40, 60)
    catch = second_pull + rng.randint(45, 70)
    recovery = catch + rng.randint(80, 120)
    peak_velocity = round(rng.uniform(1.5, 2.2), 3)
    metrics = {
        "max_bar_speed": peak_velocity,
        "bar_past_the_knee_speed": round(rng.uniform(1.0, 1.4), 3),
        "bar_past_the_knee_acceleration": round(rng.uniform(-1.2, 1.5), 3),
        "max_GRF": round(rng.uniform(1800, 3200) * (1 + mass / 200), 1),
        "max_power": round(mass * GRAVITY * peak_velocity * rng.uniform(1.2, 1.6), 1),
        "barbell_weight": mass,
        "start_of_lifting": start,
        "first_pull_end": first_pull,
        "transition": transition,
        "second_pull_end": second_pull,
        "catch_end": catch,
        "recovery_end": recovery,
        "total_time": recovery - start + rng.randint(1500, 2100),
        "clean_time": recovery - start + rng.randint(1200, 1500),
        "scale": round(rng.uniform(1.8, 2.1), 5),
        "mean_markers_validity": round(rng.uniform(0.55, 0.95), 3),
    }
    samples = 24
    bar_height = [
        round(0.22 + 1.1 * math.sin(math.pi / 2 * i / (samples - 1)) ** 2, 3) for i in range(samples)
    ]
    drift = rng.uniform(0.02, 0.06)
    bar_x = [round(drift * math.sin(2 * math.pi * i / (samples - 1)), 4) for i in range(samples)]
    return {
        "segments": 1,
        "metrics": metrics,
        "report_comments": {
            "text_summary": _both(
                f"Peak bar velocity {peak_velocity:.2f} m/s with {mass:g} kg.",
                f"Пиковая скорость штанги {peak_velocity:.2f} м/с при весе {mass:g} кг.",
            ),
            "text_bar_path": _both(
                f"Horizontal bar drift stays within {drift * 100:.1f} cm.",
                f"Горизонтальное смещение штанги до {drift * 100:.1f} см.",
            ),
        },
        "angles": {
            name: _series(rng, samples, centre, 15, 1)
            for name, centre in (("lkne_angle", 110), ("rkne_angle", 111), ("hip_intersection_angle", 120))
        },
        "report_metrics": {"bar": bar_height, "bar_x": bar_x, "vhipy": _series(rng, samples, 1.1, 0.3)},
        "all_timestamps": [start, recovery],
    }
