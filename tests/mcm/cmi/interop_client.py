"""CMI interop client on Python grpcio, for tests: reads a JSON list of calls on stdin, prints one JSON result per call.

Usage: python3 interop_client.py <cmi.proto's serialized FileDescriptorProto> <grpc target, e.g. 127.0.0.1:1234 or
unix:///path>. The message classes are built at run time from that descriptor (the test writes the one embedded in
src/mcm/cmi/gen/cmi_pb.ts), so neither protoc nor generated Python stubs are needed.
Each call is {"service": "Machine", "method": "CreateMachine", "request": {...proto JSON...}}; each result is
{"code": "OK" | "<grpc status name>", "message": str, "response": {...proto JSON...} | null}.
Calls are made through a generic channel.unary_unary.
"""
import json
import sys

import grpc
from google.protobuf import descriptor_pool, json_format, message_factory
# cmi.proto depends on descriptor.proto and wrappers.proto: importing their modules registers them in the default pool.
from google.protobuf import descriptor_pb2, wrappers_pb2  # noqa: F401


def message_classes(descriptor_file):
    pool = descriptor_pool.Default()
    with open(descriptor_file, "rb") as f:
        file_desc = pool.AddSerializedFile(f.read())
    package = file_desc.package

    def message_class(name):
        desc = pool.FindMessageTypeByName(package + "." + name)
        if hasattr(message_factory, "GetMessageClass"):  # protobuf >= 4.22
            return message_factory.GetMessageClass(desc)
        return message_factory.MessageFactory(pool).GetPrototype(desc)

    return message_class


def main():
    message_class = message_classes(sys.argv[1])
    target = sys.argv[2]
    calls = json.load(sys.stdin)
    results = []
    with grpc.insecure_channel(target) as channel:
        for call in calls:
            method = call["method"]
            req_cls = message_class(call.get("requestType", method + "Request"))
            res_cls = message_class(call.get("responseType", method + "Response"))
            stub = channel.unary_unary(
                "/cmi.v1.%s/%s" % (call["service"], method),
                request_serializer=req_cls.SerializeToString,
                response_deserializer=res_cls.FromString,
            )
            request = json_format.ParseDict(call.get("request", {}), req_cls())
            try:
                response = stub(request, timeout=30)
                results.append({
                    "code": "OK",
                    "message": "",
                    "response": json_format.MessageToDict(response, preserving_proto_field_name=True),
                })
            except grpc.RpcError as err:
                results.append({"code": err.code().name, "message": err.details() or "", "response": None})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
